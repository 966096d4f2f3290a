#include "network.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "cni_exec.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace hull::net {

bool parse_cidr(const std::string &s, Ipv4Net &out) {
  auto slash = s.find('/');
  if (slash == std::string::npos) return false;
  in_addr a{};
  if (::inet_pton(AF_INET, s.substr(0, slash).c_str(), &a) != 1) return false;
  char *end = nullptr;
  long p = std::strtol(s.c_str() + slash + 1, &end, 10);
  if (*end || p < 0 || p > 32 || slash + 1 == s.size()) return false;
  out.addr = ntohl(a.s_addr);
  out.prefix = int(p);
  return true;
}

std::string cidr_text(const Ipv4Net &n) {
  in_addr a{htonl(n.addr)};
  char buf[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &a, buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(n.prefix);
}

namespace {
uint32_t mask(int prefix) {
  return prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix);
}
bool overlaps(const Ipv4Net &a, const Ipv4Net &b) {
  uint32_t m = mask(std::min(a.prefix, b.prefix));
  return (a.addr & m) == (b.addr & m);
}
std::string ip_text(uint32_t a) {
  std::string s = cidr_text({a, 32});
  return s.substr(0, s.find('/'));
}
} // namespace

Ipv4Net pick_subnet(const std::vector<Ipv4Net> &used) {
  for (uint32_t k = 0; k < 256; ++k) {
    Ipv4Net cand{(10u << 24) | (77u << 16) | (k << 8), 24};
    bool clash = false;
    for (auto &u : used)
      // a default route (prefix 0) collides with nothing
      if (u.prefix > 0 && overlaps(cand, u)) clash = true;
    if (!clash) return cand;
  }
  throw Error("no free /24 left in 10.77.0.0/16 for a new network");
}

std::string bridge_name(const std::string &network) {
  if (network.size() <= 15) return network;
  return "hn-" + std::to_string(std::hash<std::string>{}(network) % 1000000000000ULL);
}

nlohmann::json bridge_conflist(const std::string &name, const std::string &bridge,
                               const Ipv4Net &subnet) {
  std::string gw = ip_text(subnet.addr + 1);
  return {{"cniVersion", "1.0.0"},
          {"name", name},
          {"plugins",
           {{{"type", "bridge"},
             {"bridge", bridge},
             {"isGateway", true},
             {"ipMasq", false}, // no outbound NAT: published ports and the bridge only
             {"hairpinMode", true},
             {"capabilities", {{"ips", true}}},
             {"ipam",
              {{"type", "host-local"},
               {"ranges", {{{{"subnet", cidr_text(subnet)}, {"gateway", gw}}}}},
               {"routes", {{{"dst", "0.0.0.0/0"}}}}}}},
            {{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}, {"snat", true}},
            {{"type", "firewall"}, {"backend", "iptables"}, {"ingressPolicy", "same-bridge"}}}}};
}

nlohmann::json fill_template(nlohmann::json j, const Ipv4Net &subnet) {
  if (j.is_object()) {
    for (auto &[k, v] : j.items()) {
      if (v == "auto" && k == "subnet")
        v = cidr_text(subnet);
      else if (v == "auto" && k == "gateway")
        v = ip_text(subnet.addr + 1);
      else
        v = fill_template(v, subnet);
    }
  } else if (j.is_array()) {
    for (auto &v : j)
      v = fill_template(v, subnet);
  }
  return j;
}

Network network_from_json(const nlohmann::json &j, const std::string &file) {
  if (!j.is_object()) throw Error(file + ": not a JSON object");
  Network n;
  n.file = file;
  if (!j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty())
    throw Error(file + ": name: required string");
  n.name = j["name"];
  n.cni_version = j.value("cniVersion", std::string());
  if (n.cni_version.empty()) throw Error(file + ": cniVersion: required string");
  if (j.contains("plugins")) {
    n.plugins = j["plugins"];
  } else if (j.contains("type")) { // a single-plugin .conf
    n.plugins = nlohmann::json::array({j});
  }
  if (!n.plugins.is_array() || n.plugins.empty())
    throw Error(file + ": plugins: a non-empty array is required");
  for (size_t i = 0; i < n.plugins.size(); ++i) {
    auto &p = n.plugins[i];
    if (!p.is_object() || !p.contains("type") || !p["type"].is_string())
      throw Error(file + ": plugins[" + std::to_string(i) + "].type: required string");
  }
  return n;
}

namespace {

nlohmann::json read_json(const std::string &file) {
  std::ifstream f(file);
  if (!f) throw_errno("read " + file);
  std::stringstream ss;
  ss << f.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error &e) {
    std::string m = e.what();
    auto p = m.find("parse error");
    throw Error(file + ": invalid JSON: " + (p == std::string::npos ? m : m.substr(p)));
  }
}

std::vector<std::string> config_files(const std::string &dir) {
  std::vector<std::string> out;
  DIR *d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent *e = ::readdir(d)) {
    std::string n = e->d_name;
    for (const char *ext : {".conflist", ".conf", ".json"})
      if (n.size() > std::strlen(ext) &&
          n.compare(n.size() - std::strlen(ext), std::string::npos, ext) == 0)
        out.push_back(dir + "/" + n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// Every IPv4 subnet in a JSON tree's "subnet" keys.
void subnets_in(const nlohmann::json &j, std::vector<Ipv4Net> &out) {
  if (j.is_object()) {
    for (auto &[k, v] : j.items()) {
      Ipv4Net n;
      if (k == "subnet" && v.is_string() && parse_cidr(v, n)) out.push_back(n);
      subnets_in(v, out);
    }
  } else if (j.is_array()) {
    for (auto &v : j)
      subnets_in(v, out);
  }
}

// The host's IPv4 routes (destination/mask of /proc/net/route).
std::vector<Ipv4Net> host_routes() {
  std::vector<Ipv4Net> out;
  std::ifstream f("/proc/net/route");
  std::string line;
  std::getline(f, line);
  while (std::getline(f, line)) {
    std::istringstream ls(line);
    std::string ifc, dst, gw, flags, refc, use, metric, msk;
    if (!(ls >> ifc >> dst >> gw >> flags >> refc >> use >> metric >> msk)) continue;
    uint32_t d = ntohl(uint32_t(std::stoul(dst, nullptr, 16)));
    uint32_t m = ntohl(uint32_t(std::stoul(msk, nullptr, 16)));
    out.push_back({d, __builtin_popcount(m)});
  }
  return out;
}

} // namespace

Network load_network(const std::string &dir, const std::string &name) {
  std::string direct = dir + "/" + name + ".conflist";
  if (::access(direct.c_str(), F_OK) == 0) {
    Network n = network_from_json(read_json(direct), direct);
    if (n.name == name) return n;
  }
  for (auto &f : config_files(dir)) {
    try {
      Network n = network_from_json(read_json(f), f);
      if (n.name == name) return n;
    } catch (const Error &) {
    }
  }
  throw Error("network \"" + name + "\" not found in " + dir +
              (name == "hull0" ? "" : " (no conflist with that name)"));
}

std::vector<Network> list_networks(const std::string &dir) {
  std::vector<Network> out;
  for (auto &f : config_files(dir)) {
    try {
      out.push_back(network_from_json(read_json(f), f));
    } catch (const Error &) {
    }
  }
  return out;
}

Network ensure_network(const std::string &dir, const std::string &name, bool create) {
  try {
    return load_network(dir, name);
  } catch (const Error &) {
    if (!create || ::access((dir + "/" + name + ".conflist").c_str(), F_OK) == 0) throw;
  }
  std::vector<Ipv4Net> used = host_routes();
  for (auto &f : config_files(dir)) {
    try {
      subnets_in(read_json(f), used);
    } catch (const Error &) {
    }
  }
  Ipv4Net subnet = pick_subnet(used);
  std::string tmpl = dir + "/" + name + ".conflist.template";
  nlohmann::json j;
  if (::access(tmpl.c_str(), F_OK) == 0) {
    j = fill_template(read_json(tmpl), subnet);
    if (network_from_json(j, tmpl).name != name)
      throw Error(tmpl + ": name: must be \"" + name + "\"");
  } else {
    j = bridge_conflist(name, bridge_name(name), subnet);
  }
  ::mkdir(dir.c_str(), 0755);
  std::string file = dir + "/" + name + ".conflist";
  write_file_atomic(file, j.dump(2) + "\n", 0644);
  return network_from_json(j, file);
}

void check_plugins(const Network &n, const std::vector<std::string> &path) {
  for (auto &p : n.plugins) {
    std::string t = p["type"];
    if (find_plugin(t, path).empty()) {
      std::string dirs;
      for (auto &d : path)
        dirs += (dirs.empty() ? "" : ":") + d;
      throw Error("network " + n.name + " (" + n.file + "): plugin \"" + t +
                  "\" not found in CNI_PATH (" + dirs + ")");
    }
    if (p.contains("ipam") && p["ipam"].is_object() && p["ipam"].contains("type")) {
      std::string it = p["ipam"]["type"].is_string() ? p["ipam"]["type"].get<std::string>() : "";
      if (find_plugin(it, path).empty())
        throw Error("network " + n.name + " (" + n.file + "): IPAM plugin \"" + it +
                    "\" not found in CNI_PATH");
    }
  }
}

nlohmann::json plugin_config(const Network &n, size_t i, const nlohmann::json &prev_result,
                             const nlohmann::json &runtime_config) {
  nlohmann::json c = n.plugins.at(i);
  c["name"] = n.name;
  c["cniVersion"] = n.cni_version;
  if (!prev_result.is_null()) c["prevResult"] = prev_result;
  if (c.contains("capabilities") && c["capabilities"].is_object()) {
    nlohmann::json rc = nlohmann::json::object();
    for (auto &[cap, on] : c["capabilities"].items())
      if (on.is_boolean() && on.get<bool>() && runtime_config.contains(cap))
        rc[cap] = runtime_config[cap];
    if (!rc.empty()) c["runtimeConfig"] = rc;
  }
  return c;
}

} // namespace hull::net
