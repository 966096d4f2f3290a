#include "attach.hpp"

#include <fstream>
#include <sstream>
#include <unistd.h>

#include "cni_exec.hpp"
#include "network.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace hull::net {

std::vector<std::string> hook_args(const AttachPlan &p, const std::string &verb) {
  std::vector<std::string> a = {"hull-net",        "hook",         verb,
                                "--network",       p.args.network, "--cni-config-dir",
                                p.opts.config_dir, "--state-dir",  p.opts.state_dir};
  if (verb == "add") {
    if (!p.args.name.empty()) a.insert(a.end(), {"--name", p.args.name});
    if (!p.args.ip.empty()) a.insert(a.end(), {"--ip", p.args.ip});
    for (auto &m : p.args.port_mappings) {
      std::string s = (m.contains("hostIP") ? m["hostIP"].get<std::string>() + ":" : "") +
                      std::to_string(m["hostPort"].get<int>()) + ":" +
                      std::to_string(m["containerPort"].get<int>()) + "/" +
                      m["protocol"].get<std::string>();
      a.insert(a.end(), {"--publish", s});
    }
  }
  return a;
}

namespace {

bool is_ours(const nlohmann::ordered_json &h, const AttachPlan &p) {
  if (!h.is_object() || h.value("path", "") != p.self || !h.contains("args")) return false;
  auto &a = h["args"];
  for (size_t i = 0; i + 1 < a.size(); ++i)
    if (a[i] == "--network" && a[i + 1] == p.args.network) return true;
  return false;
}

void put_hook(nlohmann::ordered_json &cfg, const char *list, const AttachPlan &p,
              const std::string &verb) {
  auto &l = cfg["hooks"][list];
  if (!l.is_array()) l = nlohmann::ordered_json::array();
  auto kept = nlohmann::ordered_json::array();
  for (auto &h : l)
    if (!is_ours(h, p)) kept.push_back(h);
  kept.push_back({{"path", p.self}, {"args", hook_args(p, verb)}, {"timeout", 60}});
  l = kept;
}

void put_namespace(nlohmann::ordered_json &cfg, const char *type) {
  auto &ns = cfg["linux"]["namespaces"];
  if (!ns.is_array()) ns = nlohmann::ordered_json::array();
  for (auto &n : ns)
    if (n.value("type", "") == type) return;
  ns.push_back({{"type", type}});
}

void put_bind(nlohmann::ordered_json &cfg, const std::string &dest, const std::string &src,
              bool ro) {
  auto &m = cfg["mounts"];
  if (!m.is_array()) m = nlohmann::ordered_json::array();
  auto kept = nlohmann::ordered_json::array();
  for (auto &x : m)
    if (x.value("destination", "") != dest) kept.push_back(x);
  nlohmann::ordered_json opts = {"rbind", "rprivate"};
  if (ro) opts.push_back("ro");
  kept.push_back({{"destination", dest}, {"type", "bind"}, {"source", src}, {"options", opts}});
  m = kept;
}

std::string read_file(const std::string &p) {
  std::ifstream f(p);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

} // namespace

void check_name(const std::string &name) {
  if (name.empty() || name.size() > 63 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") !=
          std::string::npos ||
      name[0] == '-' || name[0] == '.')
    throw Error("--name \"" + name + "\": a host name (letters, digits, '-', '.'; at most 63)");
}

nlohmann::ordered_json attach_config(nlohmann::ordered_json cfg, const AttachPlan &p) {
  if (!cfg.is_object()) throw Error("config.json: not a JSON object");
  put_hook(cfg, "createRuntime", p, "add");
  put_hook(cfg, "poststop", p, "del");
  put_namespace(cfg, "network");
  if (!p.args.name.empty()) {
    put_namespace(cfg, "uts");
    cfg["hostname"] = p.args.name;
  }
  put_bind(cfg, "/etc/hosts", p.hosts_file, true);
  put_bind(cfg, "/etc/resolv.conf", p.resolv_file, true);
  put_bind(cfg, "/etc/hostname", p.hostname_file, true);
  return cfg;
}

std::string container_resolv_conf(const std::string &host) {
  std::istringstream in(host);
  std::string line, out;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string k, v;
    ls >> k >> v;
    if (k == "nameserver" && (v.rfind("127.", 0) == 0 || v == "::1")) continue;
    out += line + "\n";
  }
  return out;
}

void attach(const std::string &bundle, AttachPlan p) {
  std::string cfg_path = bundle + "/config.json";
  std::string text = read_file(cfg_path);
  if (text.empty()) throw Error(cfg_path + ": missing or empty");
  nlohmann::ordered_json cfg;
  try {
    cfg = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error &e) {
    throw Error(cfg_path + ": invalid JSON: " + e.what());
  }
  if (!p.args.name.empty()) check_name(p.args.name);
  Store store(p.opts.state_dir);
  {
    unique_fd lk = store.lock();
    Network n = ensure_network(p.opts.config_dir, p.args.network, p.args.network == "hull0");
    check_plugins(n, p.opts.cni_path.empty() ? default_cni_path() : p.opts.cni_path);
    store.write_hosts(n.name);
  }
  p.hosts_file = store.hosts_path(p.args.network);
  std::string dir = bundle + "/.hull-net";
  mkdir_p(dir, 0755);
  p.resolv_file = dir + "/resolv.conf";
  p.hostname_file = dir + "/hostname";
  write_file_atomic(p.resolv_file, container_resolv_conf(read_file("/etc/resolv.conf")), 0644);
  std::string hn = !p.args.name.empty() ? p.args.name : cfg.value("hostname", std::string());
  write_file_atomic(p.hostname_file, (hn.empty() ? "localhost" : hn) + "\n", 0644);
  write_file_atomic(cfg_path, attach_config(cfg, p).dump(2) + "\n", 0644);
}

} // namespace hull::net
