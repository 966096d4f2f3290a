// Idmapped bind mounts (MOUNT_ATTR_IDMAP). Without a user namespace the init
// makes them itself; with one, the init has no privilege over the host's
// filesystems, so the runtime (host user namespace, inside the container's
// mount namespace) makes the detached mount and hands its fd to the init,
// which only attaches it — the way runc does it.
#pragma once

#include <sys/types.h>

#include "linux/rootfs_plan.hpp"
#include "spec/config.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

// A detached clone of m.source (open_tree) carrying m's idmapping: the
// mount's own uidMappings/gidMappings, or the user namespace userns_fd when
// it has none ("implied" mappings). Throws hull::Error naming the mount.
unique_fd idmapped_tree(const PlannedMount &m, int userns_fd = -1);

// Runtime side, for a container in a user namespace: a detached clone of
// the source of bind mount `index` (idmapped when asked), resolved in the
// mount namespace of the init `pid` so earlier container mounts are seen;
// implied mappings are taken from the init's user namespace.
unique_fd bind_source_for(pid_t pid, const spec::Config &c, const std::string &bundle,
                          size_t index);

} // namespace hull::sys
