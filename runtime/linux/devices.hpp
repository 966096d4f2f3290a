// /dev as runc sets it up: device nodes (mknod, or binds of the host's
// nodes in a user namespace), ptmx -> pts/ptmx, /dev/fd and std* links,
// the /dev/console target.
#pragma once

#include <vector>

#include "linux/rootfs_plan.hpp"

namespace hull::sys {

// nodes_fd (user namespace): a detached mount holding node "<i>" for
// devs[i], made by the runtime; -1 to bind the host's nodes instead.
void create_devices(int root_fd, const std::vector<DeviceNode> &devs, bool user_ns,
                    int nodes_fd = -1);
void create_dev_links(int root_fd);
// An empty regular file at /dev/console (a symlink there is replaced).
void create_console_target(int root_fd);

} // namespace hull::sys
