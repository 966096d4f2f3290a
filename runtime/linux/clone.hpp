// clone3 (fork-like: no new stack) with an optional CLONE_INTO_CGROUP.
#pragma once

#include <sys/types.h>

namespace hull::sys {

// Returns the child's pid in the parent and 0 in the child, like fork().
// cgroup_fd >= 0 asks for CLONE_INTO_CGROUP (v2); if the kernel refuses it,
// the child is created without it and *placed is set to false.
pid_t clone_process(unsigned long long flags, int cgroup_fd, bool *placed);

} // namespace hull::sys
