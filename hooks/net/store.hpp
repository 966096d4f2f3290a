// hull-net's own state: one lock, the cached ADD result of each attached
// container (for DEL, CHECK, inspect) and the hosts file of each network.
//   ROOT/lock                          flock for every change
//   ROOT/containers/NETWORK/ID.json    {id, network, name, netns, pid, args, result}
//   ROOT/networks/NETWORK/hosts        bind-mounted over the containers' /etc/hosts
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/unique_fd.hpp"

namespace hull::net {

struct Attachment {
  std::string id, network, name, ifname = "eth0", netns;
  int pid = 0;
  std::string ip; // asked for (--ip), may be empty
  nlohmann::json port_mappings = nlohmann::json::array();
  nlohmann::json result; // the final ADD result
};

nlohmann::json to_json(const Attachment &a);
Attachment attachment_from_json(const nlohmann::json &j);
// Pure: the first IPv4 address of a CNI result ("" if none).
std::string result_ipv4(const nlohmann::json &result);
// Pure: the hosts file for these attachments of one network.
std::string render_hosts(const std::vector<Attachment> &on_network);

class Store {
public:
  explicit Store(std::string root);
  const std::string &root() const { return root_; }
  unique_fd lock() const; // exclusive, blocks
  std::string record_path(const std::string &network, const std::string &id) const;
  std::string hosts_path(const std::string &network) const;
  bool load(const std::string &network, const std::string &id, Attachment &out) const;
  void save(const Attachment &a) const; // atomic (write + rename)
  void erase(const std::string &network, const std::string &id) const;
  std::vector<Attachment> all(const std::string &network = "") const;
  // Rewrites the network's hosts file from the records, in place (a
  // rename would leave the containers' bind mounts on the old file); the
  // caller holds lock().
  void write_hosts(const std::string &network) const;

private:
  std::string root_;
};

void mkdir_p(const std::string &path, mode_t mode = 0755);

} // namespace hull::net
