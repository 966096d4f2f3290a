// seccomp: compiled in the runtime before clone (with a BPF cache), loaded
// by the init as late as possible. Owned by the seccomp part of runtime/linux.
//
// Where the init calls what (runtime-spec + kernel rules), in order:
//   ... mounts, pivot_root, apply_exec_labels (lsm.hpp; takes effect at
//   execve, written before no_new_privs because AppArmor limits transitions
//   under it), [A] set_user, apply_capabilities, apply_no_new_privs, [B]
//   load_seccomp, hand the listener fd to the parent, wait for `start`, execve.
//   * seccomp_load_early(proc) == false (process.noNewPrivileges = true): load
//     at [B], the last setup step. After it only the sync-socket write, the
//     exec.fifo open/read and execve run, which no usable profile blocks, so
//     a profile denying getcwd, setgroups, capset, mount... never breaks setup.
//   * seccomp_load_early(proc) == true (no noNewPrivileges): the kernel then
//     demands CAP_SYS_ADMIN for SECCOMP_SET_MODE_FILTER, which set_user and
//     apply_capabilities drop, so load at [A]; the profile must then allow
//     setgroups/setres[ug]id/capset/prctl (every real profile does; runc and
//     crun use the same order).
#pragma once

#include <linux/filter.h>
#include <optional>
#include <string>
#include <vector>

#include "spec/config.hpp"
#include "spec/state.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

// ---- deciding (pure; unit-tested without root) ----

struct SeccompArgCmp {
  unsigned int index = 0; // 0..5
  int op = 0;             // enum scmp_compare (SCMP_CMP_NE ... SCMP_CMP_MASKED_EQ)
  uint64_t value = 0;
  uint64_t valueTwo = 0;
};

struct SeccompRule {
  std::string syscall;
  uint32_t action = 0;             // SCMP_ACT_* value incl. errno/trace data
  std::vector<SeccompArgCmp> args; // ANDed
};

struct SeccompPlan {
  uint32_t default_action = 0;
  std::vector<uint32_t> arches; // SCMP_ARCH_* tokens (native is always present)
  unsigned int flags = 0;       // SECCOMP_FILTER_FLAG_*
  bool notify = false;
  std::vector<SeccompRule> rules;
  std::vector<std::string> named; // every syscall name of the profile (for the ENOSYS stub)
};

// Turns linux.seccomp into a rule set. Throws hull::Error naming the field
// for an unknown action, operator, architecture or flag. Rules whose action
// equals the default action are dropped (libseccomp refuses them); a syscall
// entry with several conditions on the same argument becomes one rule per
// condition (ORed), as runc does. Syscall names are not resolved here.
SeccompPlan plan_seccomp(const spec::Seccomp &sc);

// Parses "SCMP_ACT_ERRNO" & co; errno_ret is used by ERRNO/TRACE (default EPERM).
uint32_t seccomp_action(const std::string &name, std::optional<uint32_t> errno_ret);

// Where the init must load the filter: true = point [A] above (before
// set_user; no noNewPrivileges, so CAP_SYS_ADMIN is needed), false = point [B]
// (last, after apply_no_new_privs).
bool seccomp_load_early(const spec::Process &proc);

// ---- compiling / caching (parent side) ----

struct SeccompProgram {
  std::vector<sock_filter> bpf;
  unsigned int flags = 0; // SECCOMP_FILTER_FLAG_*
  bool notify = false;    // uses SCMP_ACT_NOTIFY: load returns a listener fd
};

// Compiles a plan with libseccomp and exports the BPF, behind the -ENOSYS
// stub of seccomp_enosys.hpp when it applies. Unknown syscall names are
// skipped with a log::debug line.
SeccompProgram compile_seccomp(const SeccompPlan &plan);

// The cache key: SHA-256 (hex) of the canonical JSON of the seccomp section,
// the native architecture and the libseccomp version.
std::string seccomp_cache_key(const spec::Seccomp &sc);

// Parent side: compiles linux.seccomp (or takes it from cache_dir when a
// verified cached copy exists; cache_dir "" disables the cache). nullopt when
// there is no seccomp section. Config errors are thrown even on a cache hit.
std::optional<SeccompProgram> prepare_seccomp(const spec::Linux *lnx, const std::string &cache_dir);

// ---- doing (init side) ----

// Loads the program with seccomp(SECCOMP_SET_MODE_FILTER); returns the notify
// listener fd (close-on-exec) or -1. The init sends that fd to the parent over
// the sync socket and closes its copy before execve; the parent then calls
// send_to_listener.
int load_seccomp(const SeccompProgram &prog);

// Connects to linux.seccomp.listenerPath; the error starts with runc's
// "failed to connect with seccomp agent".
unique_fd connect_seccomp_agent(const std::string &listener_path);

// Parent side: hands the listener fd and the container state to
// linux.seccomp.listenerPath (runtime-spec "seccomp state" + SCM_RIGHTS).
void send_to_listener(const spec::Seccomp &sc, int notify_fd, const spec::State &state,
                      int init_pid);

// The seccomp state document sent to the listener (exposed for tests).
std::string seccomp_state_json(const spec::Seccomp &sc, const spec::State &state, int init_pid);

} // namespace hull::sys
