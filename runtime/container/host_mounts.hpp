// A container without its own mount namespace builds its rootfs mounts in
// the runtime's (the host's) mount table. These helpers find and undo them,
// so neither delete nor a failed create leaves any behind.
#pragma once

#include <string>

#include "spec/config.hpp"

namespace hull::container {

// True when linux.namespaces has no "mount" entry: the init's mounts land in ours.
bool shares_mount_ns(const spec::Config &cfg);

// Detaches every mount at or below rootfs/ in our mount table, deepest first.
void unmount_under(const std::string &rootfs);

} // namespace hull::container
