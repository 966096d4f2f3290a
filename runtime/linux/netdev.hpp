// linux.netDevices: host interfaces moved into the container's network
// namespace (renamed when asked, global addresses kept, as runc), and moved
// back to the host under their own names when the container is deleted.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "spec/config.hpp"

namespace hull::sys {

struct NetDeviceMove {
  std::string host_name;      // name on the host
  std::string container_name; // name inside the container
};
// Pure: the moves linux.netDevices asks for, in name order.
std::vector<NetDeviceMove> plan_net_devices(const spec::Linux &l);

// Runtime side of create, once the init `pid` has its network namespace.
// Throws hull::Error naming linux.netDevices and the interface.
void move_net_devices(pid_t pid, const spec::Linux &l);

// Runtime side of delete, while the init `pid` still lives: back to the
// runtime's network namespace. Only for a namespace the container created
// (one joined by path belongs to its owner, as in runc).
void return_net_devices(pid_t pid, const spec::Linux &l);

} // namespace hull::sys
