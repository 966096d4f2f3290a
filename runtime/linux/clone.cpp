#include "linux/clone.hpp"

#include <csignal>
#include <cstdint>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/error.hpp"

namespace hull::sys {
namespace {

pid_t raw_clone3(unsigned long long flags, int cgroup_fd) {
  clone_args args{};
  args.flags = flags;
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = uint64_t(cgroup_fd);
  }
  return pid_t(::syscall(SYS_clone3, &args, sizeof args));
}

} // namespace

pid_t clone_process(unsigned long long flags, int cgroup_fd, bool *placed) {
  if (placed) *placed = cgroup_fd >= 0;
  pid_t pid = raw_clone3(flags, cgroup_fd);
  if (pid < 0 && cgroup_fd >= 0 && (errno == EINVAL || errno == E2BIG || errno == EOPNOTSUPP)) {
    if (placed) *placed = false;
    pid = raw_clone3(flags, -1);
  }
  if (pid < 0 && errno == ENOSYS) {
    if (placed) *placed = false;
    pid = pid_t(::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  }
  if (pid < 0) throw_errno("clone");
  return pid;
}

} // namespace hull::sys
