// The "tmpcopyup" mount option: a new tmpfs that starts with a copy of what
// the destination directory held, like runc.
#pragma once

#include "linux/rootfs_plan.hpp"

namespace hull::sys {

// Builds the tmpfs detached (fsmount), copies target_fd's directory tree
// into it (modes, owners, times, symlinks, device nodes), applies ro last,
// then attaches it onto target_fd.
void tmpcopyup_mount(int root_fd, int target_fd, const PlannedMount &m);

// Copies the contents of directory src_dir into directory dst_dir.
void copy_tree(int src_dir, int dst_dir, const std::string &shown);

} // namespace hull::sys
