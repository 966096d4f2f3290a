// hull-net: CNI networking for hull containers. As a command it edits a
// bundle (attach) and shows what is attached; as an OCI hook (the `hook`
// command, put into config.json by attach) it runs the CNI plugins.
#include <climits>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "attach.hpp"
#include "network.hpp"
#include "ops.hpp"
#include "util/error.hpp"

using namespace hull;
using namespace hull::net;

namespace {

const char *kUsage =
    "usage: hull-net [--cni-config-dir DIR] [--state-dir DIR] COMMAND\n"
    "  attach BUNDLE [--network NAME] [--ip ADDR] [--name NAME]\n"
    "                [--publish [HOSTIP:]HOSTPORT:PORT[/tcp|udp]]...\n"
    "  create NETWORK       write a bridge network with a free private /24\n"
    "  ls                   networks and attached containers\n"
    "  inspect ID           the cached CNI results of a container\n"
    "  check ID             CNI CHECK of a running container\n"
    "  hook add|del [flags] (OCI hook: createRuntime / poststop; state on stdin)\n"
    "defaults: --network hull0, --cni-config-dir /etc/cni/net.d,\n"
    "          --state-dir /var/lib/hull-net, plugins from $CNI_PATH or /usr/lib/cni\n"
    "a missing network is written from DIR/NAME.conflist.template when there is one\n"
    "(hull0's is installed with hull-net), else as a bridge on a free /24\n";

struct Cli {
  Options opts;
  AttachArgs args;
  std::vector<std::string> pos;
};

Cli parse(int argc, char **argv) {
  Cli c;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const std::string &flag) -> std::string {
      if (i + 1 >= argc) throw Error(flag + ": needs a value");
      return argv[++i];
    };
    if (a == "--cni-config-dir")
      c.opts.config_dir = value(a);
    else if (a == "--state-dir")
      c.opts.state_dir = value(a);
    else if (a == "--network")
      c.args.network = value(a);
    else if (a == "--name")
      c.args.name = value(a);
    else if (a == "--ip")
      c.args.ip = value(a);
    else if (a == "--publish" || a == "-p")
      c.args.port_mappings.push_back(parse_publish(value(a)));
    else if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a.size() > 1 && a[0] == '-')
      throw Error("unknown flag " + a);
    else
      c.pos.push_back(a);
  }
  if (c.args.network.empty()) throw Error("--network: empty");
  return c;
}

std::string self_path() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0) throw_errno("readlink /proc/self/exe");
  return std::string(buf, size_t(n));
}

std::string absolute(const std::string &p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) throw_errno("bundle " + p);
  return buf;
}

int hook(Cli &c) {
  if (c.pos.size() != 2 || (c.pos[1] != "add" && c.pos[1] != "del"))
    throw Error("hook: want `hook add` or `hook del`");
  std::stringstream ss;
  ss << std::cin.rdbuf();
  nlohmann::json st;
  try {
    st = nlohmann::json::parse(ss.str());
  } catch (const std::exception &) {
    throw Error("hook: the OCI state on stdin is not JSON");
  }
  std::string id = st.value("id", "");
  int pid = st.value("pid", 0);
  if (id.empty()) throw Error("hook: the OCI state on stdin has no id");
  if (c.pos[1] == "add") {
    if (c.args.name.empty()) c.args.name = id;
    add(c.opts, c.args, id, pid);
  } else {
    del(c.opts, c.args.network, id, pid);
  }
  return 0;
}

int ls(const Cli &c) {
  std::printf("%-16s %-16s %-18s %s\n", "NETWORK", "BRIDGE", "SUBNET", "FILE");
  for (auto &n : list_networks(c.opts.config_dir)) {
    std::string br, subnet;
    for (auto &p : n.plugins) {
      if (p.contains("bridge") && p["bridge"].is_string()) br = p["bridge"];
      if (p.contains("ipam") && p["ipam"].contains("ranges"))
        for (auto &r : p["ipam"]["ranges"])
          for (auto &x : r)
            if (subnet.empty()) subnet = x.value("subnet", "");
    }
    std::printf("%-16s %-16s %-18s %s\n", n.name.c_str(), br.empty() ? "-" : br.c_str(),
                subnet.empty() ? "-" : subnet.c_str(), n.file.c_str());
  }
  std::printf("\n%-24s %-16s %-16s %s\n", "CONTAINER", "NETWORK", "NAME", "ADDRESS");
  for (auto &a : Store(c.opts.state_dir).all())
    std::printf("%-24s %-16s %-16s %s\n", a.id.c_str(), a.network.c_str(), a.name.c_str(),
                result_ipv4(a.result).c_str());
  return 0;
}

int inspect(const Cli &c) {
  nlohmann::json out = nlohmann::json::array();
  for (auto &a : Store(c.opts.state_dir).all())
    if (a.id == c.pos[1]) out.push_back(to_json(a));
  if (out.empty()) throw Error("container " + c.pos[1] + " is not attached to any network");
  std::cout << out.dump(2) << "\n";
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    Cli c = parse(argc, argv);
    if (c.pos.empty()) {
      std::cerr << kUsage;
      return 2;
    }
    const std::string &cmd = c.pos[0];
    auto want = [&](size_t n) {
      if (c.pos.size() != n) throw Error(cmd + ": wrong number of arguments (see --help)");
    };
    if (cmd == "hook") return hook(c);
    if (cmd == "attach") {
      want(2);
      AttachPlan p;
      p.self = self_path();
      p.opts = c.opts;
      p.args = c.args;
      attach(absolute(c.pos[1]), p);
      return 0;
    }
    if (cmd == "create") {
      want(2);
      Store s(c.opts.state_dir);
      unique_fd lk = s.lock();
      Network n = ensure_network(c.opts.config_dir, c.pos[1], true);
      std::cout << n.file << "\n";
      return 0;
    }
    if (cmd == "ls") return want(1), ls(c);
    if (cmd == "inspect") return want(2), inspect(c);
    if (cmd == "check") {
      want(2);
      check(c.opts, c.pos[1]);
      std::cout << c.pos[1] << ": ok\n";
      return 0;
    }
    throw Error("unknown command \"" + cmd + "\" (see --help)");
  } catch (const std::exception &e) {
    std::cerr << "hull-net: " << e.what() << "\n";
    return 1;
  }
}
