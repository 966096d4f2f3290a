// What hull-net does: CNI ADD/DEL/CHECK for one container on one network,
// under the store's lock, with the result cached and the hosts file kept.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store.hpp"

namespace hull::net {

struct Options {
  std::string config_dir = "/etc/cni/net.d";
  std::string state_dir = "/var/lib/hull-net";
  std::vector<std::string> cni_path; // empty: default_cni_path()
};

struct AttachArgs {
  std::string network = "hull0";
  std::string name; // hosts entry; the container id when empty
  std::string ip;
  nlohmann::json port_mappings = nlohmann::json::array();
};

// Pure: "[HOSTIP:]HOSTPORT:PORT[/tcp|udp]" -> a portmap entry; throws on
// bad input naming the flag.
nlohmann::json parse_publish(const std::string &spec);

// ADD (idempotent: a container already attached keeps its result).
nlohmann::json add(const Options &o, const AttachArgs &a, const std::string &id, int pid);
// DEL (idempotent: a container never attached is a no-op for the plugins'
// stores). Throws after trying every plugin if any failed.
void del(const Options &o, const std::string &network, const std::string &id, int pid);
// CHECK every network the container is attached to; throws on failure.
void check(const Options &o, const std::string &id);

} // namespace hull::net
