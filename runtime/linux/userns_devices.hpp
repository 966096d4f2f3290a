// Device nodes for a container in a user namespace. The container cannot
// mknod, and a /dev it mounts itself never honours device nodes; binding the
// host's nodes would show the host's owner and mode. So the runtime (host
// privileges) makes a small detached tmpfs holding each node with the mode
// the config gives and owned by the config's uid/gid mapped to the host; the
// init binds each node from it. The mount is nosuid,noexec like a /dev.
#pragma once

#include <sys/types.h>

#include "linux/rootfs_plan.hpp"
#include "spec/config.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

// Pure: host id for container id `id` under `maps`; throws hull::Error
// naming `field` when it is not mapped.
uint32_t map_to_host(const std::vector<spec::IdMapping> &maps, uint32_t id,
                     const std::string &field);

// Runtime side: the detached tmpfs with node i named "<i>" for every entry
// of plan_rootfs(c).devices, made in the mount namespace of the init `pid`.
unique_fd device_nodes_for(pid_t pid, const spec::Config &c, const std::string &bundle);

} // namespace hull::sys
