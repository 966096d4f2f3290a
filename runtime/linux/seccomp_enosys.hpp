// seccomp -ENOSYS stub: syscalls newer than every syscall a profile names
// fail with ENOSYS instead of the profile's default action, as runc does.
// A profile written before clone3 (or any later syscall) existed then makes
// the new syscall look unimplemented, so libc falls back to the old one
// instead of failing with the default errno (EPERM).
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <map>
#include <vector>

#include "linux/seccomp.hpp"

namespace hull::sys {

// Highest syscall number the profile names, per libseccomp architecture token
// (SCMP_ARCH_*). x32 numbers carry the x32 bit (0x40000000). Architectures
// none of whose names resolve are absent.
using LastSyscalls = std::map<uint32_t, uint32_t>;

// Whether the stub applies: not when the default action lets unknown
// syscalls through (allow, log, trace) or already returns ENOSYS.
bool wants_enosys_stub(const SeccompPlan &plan);

// Resolves plan.named (every syscall name of the profile, whatever its
// action) for plan.arches and the native architecture.
LastSyscalls last_syscalls(const SeccompPlan &plan);

// The cBPF prefix: per audit architecture, a syscall number above the last
// one returns ERRNO(ENOSYS); everything else jumps to the instruction right
// after the stub, where the libseccomp program starts.
std::vector<sock_filter> enosys_stub(const LastSyscalls &last);

} // namespace hull::sys
