// `hull-net attach BUNDLE`: puts the hooks (and what an engine adds: own
// network namespace, hostname, /etc/hosts, /etc/resolv.conf, /etc/hostname)
// into the bundle's config.json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ops.hpp"

namespace hull::net {

struct AttachPlan {
  std::string self; // absolute path of hull-net
  Options opts;
  AttachArgs args;
  std::string hosts_file;  // the network's hosts file
  std::string resolv_file; // per bundle
  std::string hostname_file;
};

// Pure: the hook's argv for ADD ("add") or DEL ("del").
std::vector<std::string> hook_args(const AttachPlan &p, const std::string &verb);
// Pure: config.json with the plan applied. Attaching again to the same
// network replaces the earlier hooks rather than adding a second pair.
nlohmann::ordered_json attach_config(nlohmann::ordered_json cfg, const AttachPlan &p);
// Pure: the host's resolv.conf as engines give it to containers (loopback
// nameservers dropped: they mean nothing in another network namespace).
std::string container_resolv_conf(const std::string &host);
// Pure: validates a hostname-like container name (hosts entry).
void check_name(const std::string &name);

// Does it: validates the network and plugins first (nothing written on
// error), then writes the files and config.json (atomically).
void attach(const std::string &bundle, AttachPlan p);

} // namespace hull::net
