#include "ops.hpp"

#include <arpa/inet.h>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

#include "cni_exec.hpp"
#include "network.hpp"
#include "util/error.hpp"

namespace hull::net {
namespace {

std::vector<std::string> cni_path(const Options &o) {
  return o.cni_path.empty() ? default_cni_path() : o.cni_path;
}

ino_t ns_inode(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// The netns path of pid if it still is the one recorded at ADD.
std::string live_netns(int pid, const std::string &recorded_ino) {
  if (pid <= 0) return "";
  std::string p = "/proc/" + std::to_string(pid) + "/ns/net";
  ino_t ino = ns_inode(p);
  if (!ino || std::to_string(ino) != recorded_ino) return "";
  return p;
}

std::string cni_args(const std::string &ip) {
  return "IgnoreUnknown=1" + (ip.empty() ? "" : ";IP=" + ip);
}

nlohmann::json runtime_config(const std::string &ip, const nlohmann::json &ports) {
  nlohmann::json rc = {{"portMappings", ports}};
  if (!ip.empty()) rc["ips"] = {ip};
  return rc;
}

// DEL of plugins [0, upto] in reverse order; returns the failures' text.
std::vector<std::string> del_plugins(const Network &n, size_t upto, const CniCall &base,
                                     const nlohmann::json &prev, const nlohmann::json &rc) {
  std::vector<std::string> errs;
  CniCall c = base;
  c.command = "DEL";
  for (size_t i = upto + 1; i-- > 0;) {
    try {
      exec_plugin(n.plugins[i]["type"], c, plugin_config(n, i, prev, rc));
    } catch (const CniFailure &f) {
      errs.push_back(f.what());
    }
  }
  return errs;
}

// portmap up to 1.2 looks for IPv6 rules it never made when the container
// has no IPv6 address (containernetworking/plugins#819).
bool portmap_ipv6_check_bug(const CniFailure &f, const nlohmann::json &result) {
  if (f.plugin != "portmap" || f.msg.find("ipv6") == std::string::npos) return false;
  if (result.is_object() && result.contains("ips"))
    for (auto &ip : result["ips"])
      if (ip.value("address", "").find(':') != std::string::npos) return false;
  return true;
}

} // namespace

nlohmann::json parse_publish(const std::string &spec) {
  auto bad = [&](const std::string &why) {
    return Error("--publish \"" + spec + "\": " + why + " (want [HOSTIP:]HOSTPORT:PORT[/tcp|udp])");
  };
  std::string s = spec, proto = "tcp";
  auto slash = s.rfind('/');
  if (slash != std::string::npos) {
    proto = s.substr(slash + 1);
    s.resize(slash);
    if (proto != "tcp" && proto != "udp") throw bad("protocol must be tcp or udp");
  }
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == ':') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  if (parts.size() != 2 && parts.size() != 3) throw bad("wrong number of fields");
  std::string host_ip = parts.size() == 3 ? parts[0] : "";
  auto port = [&](const std::string &p) {
    if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos)
      throw bad("port \"" + p + "\" is not a number");
    int v = std::stoi(p);
    if (v < 1 || v > 65535) throw bad("port " + p + " out of range 1-65535");
    return v;
  };
  nlohmann::json m = {{"hostPort", port(parts[parts.size() - 2])},
                      {"containerPort", port(parts.back())},
                      {"protocol", proto}};
  if (!host_ip.empty()) {
    in_addr a{};
    if (::inet_pton(AF_INET, host_ip.c_str(), &a) != 1)
      throw bad("host address \"" + host_ip + "\" is not an IPv4 address");
    m["hostIP"] = host_ip;
  }
  return m;
}

nlohmann::json add(const Options &o, const AttachArgs &a, const std::string &id, int pid) {
  Store store(o.state_dir);
  unique_fd lk = store.lock();
  Attachment prev;
  if (store.load(a.network, id, prev)) return prev.result; // ADD twice: harmless
  Network n = ensure_network(o.config_dir, a.network, a.network == "hull0");
  auto path = cni_path(o);
  check_plugins(n, path);
  if (pid <= 0) throw Error("container " + id + " has no pid in its state");
  std::string netns = "/proc/" + std::to_string(pid) + "/ns/net";
  ino_t ino = ns_inode(netns);
  if (!ino) throw_errno("container " + id + ": network namespace " + netns);
  if (ino == ns_inode("/proc/self/ns/net"))
    throw Error("container " + id +
                " shares the host's network namespace: give it its own (linux.namespaces)");
  CniCall c;
  c.command = "ADD";
  c.container_id = id;
  c.netns = netns;
  c.args = cni_args(a.ip);
  c.path = path;
  nlohmann::json rc = runtime_config(a.ip, a.port_mappings), result;
  for (size_t i = 0; i < n.plugins.size(); ++i) {
    try {
      result = exec_plugin(n.plugins[i]["type"], c, plugin_config(n, i, result, rc));
    } catch (const CniFailure &f) {
      // roll back what the earlier plugins (and this one) made
      del_plugins(n, i, c, result, rc);
      throw Error("network " + n.name + ": ADD: " + f.what());
    }
  }
  Attachment at;
  at.id = id;
  at.network = n.name;
  at.name = a.name;
  at.netns = std::to_string(ino);
  at.pid = pid;
  at.ip = a.ip;
  at.port_mappings = a.port_mappings;
  at.result = result;
  store.save(at);
  store.write_hosts(n.name);
  return result;
}

void del(const Options &o, const std::string &network, const std::string &id, int pid) {
  Store store(o.state_dir);
  unique_fd lk = store.lock();
  Attachment at;
  bool known = store.load(network, id, at);
  std::vector<std::string> errs;
  try {
    Network n = load_network(o.config_dir, network);
    CniCall c;
    c.container_id = id;
    c.netns = known ? live_netns(pid > 0 ? pid : at.pid, at.netns) : "";
    c.args = cni_args(at.ip);
    c.path = cni_path(o);
    errs = del_plugins(n, n.plugins.size() - 1, c, known ? at.result : nlohmann::json(),
                       runtime_config(at.ip, at.port_mappings));
  } catch (const Error &e) {
    errs.push_back(e.what());
  }
  // never attached (or the record is gone): the DEL was a best effort for
  // the plugins' own stores; nothing to report
  if (!known) errs.clear();
  if (errs.empty()) {
    store.erase(network, id);
    store.write_hosts(network);
  }
  if (!errs.empty()) {
    std::string all;
    for (auto &e : errs)
      all += (all.empty() ? "" : "; ") + e;
    throw Error("network " + network + ": DEL " + id + ": " + all);
  }
}

void check(const Options &o, const std::string &id) {
  Store store(o.state_dir);
  unique_fd lk = store.lock();
  bool any = false;
  for (auto &at : store.all()) {
    if (at.id != id) continue;
    any = true;
    Network n = load_network(o.config_dir, at.network);
    CniCall c;
    c.command = "CHECK";
    c.container_id = id;
    c.netns = live_netns(at.pid, at.netns);
    if (c.netns.empty())
      throw Error("container " + id + " is not running (its network namespace is gone)");
    c.args = cni_args(at.ip);
    c.path = cni_path(o);
    nlohmann::json rc = runtime_config(at.ip, at.port_mappings);
    for (size_t i = 0; i < n.plugins.size(); ++i) {
      try {
        exec_plugin(n.plugins[i]["type"], c, plugin_config(n, i, at.result, rc));
      } catch (const CniFailure &f) {
        if (portmap_ipv6_check_bug(f, at.result)) {
          std::fprintf(stderr, "hull-net: warning: portmap cannot CHECK an IPv4-only container "
                               "(containernetworking/plugins#819, fixed after 1.2): skipped\n");
          continue;
        }
        throw Error("network " + n.name + ": CHECK " + id + ": " + f.what());
      }
    }
  }
  if (!any) throw Error("container " + id + " is not attached to any network");
}

} // namespace hull::net
