// Runtime-side work inside the container's mount namespace: the runtime
// keeps the host's user namespace (and its privileges) while it resolves
// paths and makes mounts the way the container's init sees them.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

// Runs fn inside the mount namespace of pid, then comes back (root and cwd
// restored). The caller is single-threaded, as setns(CLONE_NEWNS) requires.
template <class F> inline auto in_mount_ns(pid_t pid, F fn) {
  unique_fd self(::open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC));
  unique_fd cwd(::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  unique_fd target(
      ::open(("/proc/" + std::to_string(pid) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC));
  if (!self || !cwd || !target) throw_errno("open mount namespace of the container init");
  if (::setns(target.get(), CLONE_NEWNS) != 0) throw_errno("join the container's mount namespace");
  auto back = [&] {
    if (::setns(self.get(), CLONE_NEWNS) != 0 || ::fchdir(cwd.get()) != 0)
      throw_errno("return to the runtime's mount namespace");
  };
  try {
    auto r = fn();
    back();
    return r;
  } catch (...) {
    back();
    throw;
  }
}

} // namespace hull::sys
