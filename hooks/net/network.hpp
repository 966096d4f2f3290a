// Networks: CNI conflists found by name, the default network written on
// first use (a free private /24), and the per-plugin configs of one call.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace hull::net {

struct Network {
  std::string name, file, cni_version;
  nlohmann::json plugins; // array of plugin configs
};

struct Ipv4Net {
  uint32_t addr = 0; // host order
  int prefix = 0;
};

// Pure: parses "a.b.c.d/n"; false when it is not one.
bool parse_cidr(const std::string &s, Ipv4Net &out);
std::string cidr_text(const Ipv4Net &n);
// Pure: the first 10.77.K.0/24 that overlaps none of `used`; throws when
// all 256 do.
Ipv4Net pick_subnet(const std::vector<Ipv4Net> &used);
// Pure: a conflist like hull0's for a network name, bridge and subnet.
nlohmann::json bridge_conflist(const std::string &name, const std::string &bridge,
                               const Ipv4Net &subnet);
// Pure: a network template filled in: every "subnet": "auto" becomes the
// subnet, every "gateway": "auto" its first address.
nlohmann::json fill_template(nlohmann::json j, const Ipv4Net &subnet);
// Pure: the bridge device name for a network (<= 15 bytes).
std::string bridge_name(const std::string &network);
// Pure: validates a parsed conflist (throws "FILE: field: problem").
Network network_from_json(const nlohmann::json &j, const std::string &file);

// Loads the network called name from dir ("<name>.conflist" first, then
// any *.conflist/*.conf/*.json whose "name" matches).
Network load_network(const std::string &dir, const std::string &name);
// Same, but writes the network (free /24, recorded in its conflist) when
// name is missing and `create` is true: from dir/<name>.conflist.template
// when there is one (meson install / the package ship hull0's), else
// bridge_conflist's.
Network ensure_network(const std::string &dir, const std::string &name, bool create);
// Every network in dir (unreadable files are skipped).
std::vector<Network> list_networks(const std::string &dir);
// Throws naming the first plugin of n missing from path.
void check_plugins(const Network &n, const std::vector<std::string> &path);

// Pure: what plugin i of n gets on stdin.
nlohmann::json plugin_config(const Network &n, size_t i, const nlohmann::json &prev_result,
                             const nlohmann::json &runtime_config);

} // namespace hull::net
