// seccomp: compiled in the runtime before clone (with a BPF cache), loaded
// by the init as late as possible. Owned by the seccomp part of runtime/linux.
#pragma once

#include <linux/filter.h>
#include <optional>
#include <string>
#include <vector>

#include "spec/config.hpp"
#include "spec/state.hpp"

namespace hull::sys {

struct SeccompProgram {
  std::vector<sock_filter> bpf;
  unsigned int flags = 0; // SECCOMP_FILTER_FLAG_*
  bool notify = false;    // uses SCMP_ACT_NOTIFY: load returns a listener fd
};

// Parent side: compiles linux.seccomp (or takes it from cache_dir when a
// verified cached copy exists). nullopt when there is no seccomp section.
std::optional<SeccompProgram> prepare_seccomp(const spec::Linux *lnx, const std::string &cache_dir);

// Init side: loads the program; returns the notify listener fd or -1.
int load_seccomp(const SeccompProgram &prog);

// Parent side: hands the listener fd and the container state to
// linux.seccomp.listenerPath (runtime-spec "seccomp state" + SCM_RIGHTS).
void send_to_listener(const spec::Seccomp &sc, int notify_fd, const spec::State &state, int init_pid);

} // namespace hull::sys
