// The deciding half of process setup: pure functions that turn the process
// section of config.json into plain data (capability sets, rlimits, user
// switch, scheduler/ioprio/personality values, executable lookup). The thin
// apply functions in process.hpp feed these plans to the kernel. Everything
// here is free of side effects and covered by tests/unit/test_process.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "spec/config.hpp"

namespace hull::sys {

// ---- capabilities -------------------------------------------------------

// The five sets as capability numbers, each sorted and without duplicates.
// Capabilities above the kernel's last cap are left out (the kernel does not
// know them, so there is nothing to grant or drop).
struct CapPlan {
  std::vector<int> drop_bounding; // every cap 0..last_cap not in bounding
  std::vector<int> effective;
  std::vector<int> permitted;
  std::vector<int> inheritable;
  std::vector<int> ambient;         // only those in permitted and inheritable
  std::vector<int> skipped_ambient; // requested but not in permitted+inheritable
};

// Builds the plan; no capabilities section means every set is empty (as
// runc does). Names hull does not know are left out like those above
// last_cap: runc and crun ignore them (an engine may ask for a capability
// newer than the runtime); ignored_capabilities lists them for the warning.
CapPlan plan_capabilities(const std::optional<spec::Capabilities> &caps, int last_cap);

// The names of all five sets that plan_capabilities leaves out (unknown, or
// above last_cap), sorted, each once.
std::vector<std::string> ignored_capabilities(const std::optional<spec::Capabilities> &caps,
                                              int last_cap);

// The plan plus CAP_SYS_ADMIN in effective and permitted, which loading a
// seccomp filter without no_new_privs needs (see apply_capabilities_for_seccomp).
CapPlan keep_for_seccomp(CapPlan plan);

// Parses /proc/sys/kernel/cap_last_cap text ("40\n"); -1 when malformed.
int parse_last_cap(const std::string &text);

// ---- rlimits ------------------------------------------------------------

// "RLIMIT_NOFILE" -> RLIMIT_NOFILE, -1 when unknown.
int rlimit_resource(const std::string &name);

struct RlimitStep {
  std::string name;
  int resource = -1;
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// Throws hull::Error for an unknown type (`process.rlimits[1].type: unknown
// rlimit "RLIMIT_FOO"`) or soft > hard.
std::vector<RlimitStep> plan_rlimits(const std::vector<spec::Rlimit> &rlimits);

// ---- user ---------------------------------------------------------------

struct UserPlan {
  bool set_groups = true;    // false when setgroups is denied (user namespace)
  std::vector<gid_t> groups; // additionalGids
  gid_t gid = 0;
  uid_t uid = 0;
  mode_t umask = 022;
};

// setgroups_text: the content of /proc/self/setgroups ("allow"/"deny"), or
// empty when the file does not exist. With "deny" and additionalGids asked
// for, throws hull::Error (the kernel would refuse them).
UserPlan plan_user(const spec::User &user, const std::string &setgroups_text);

// ---- io priority / scheduler / personality ---------------------------------

// IOPRIO_CLASS_RT/BE/IDLE + priority 0..7 -> the ioprio_set value. Throws
// hull::Error for an unknown class or a priority out of range.
int ioprio_value(const spec::IoPriority &io);

// The kernel's struct sched_attr (include/uapi/linux/sched/types.h).
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

// "SCHED_FIFO" -> 1, -1 when unknown.
int sched_policy(const std::string &name);
// "SCHED_FLAG_RESET_ON_FORK" -> 0x01, 0 when unknown.
uint64_t sched_flag(const std::string &name);
// Throws hull::Error for an unknown policy or flag.
SchedAttr build_sched_attr(const spec::Scheduler &s);

// linux.personality -> the personality(2) value. Throws hull::Error for an
// unknown domain or flag.
unsigned long personality_value(const spec::Personality &p);

// ---- executable lookup ----------------------------------------------------

// What a stat of a candidate path found: err = errno of stat (0 when it
// exists); is_dir; executable = access(X_OK) succeeded.
struct PathProbe {
  int err = 0;
  bool is_dir = false;
  bool executable = false;
};
using ProbeFn = std::function<PathProbe(const std::string &path)>;

inline constexpr const char *kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// The PATH value from an environment list ("PATH=..."), the last one wins;
// nullopt when there is none.
std::optional<std::string> path_from_env(const std::vector<std::string> &env);

// Resolves args[0] like runc (Go's exec.LookPath): with a '/' it is used as
// is after a check, else it is searched in PATH (kDefaultPath when env has
// none). Throws hull::Error with runc's wording.
std::string resolve_executable(const std::string &arg0, const std::vector<std::string> &env,
                               const ProbeFn &probe);

// ---- environment ------------------------------------------------------------

// runc's rule for duplicates: the last NAME=... wins; the result keeps the
// order of the surviving entries.
std::vector<std::string> dedup_env(const std::vector<std::string> &env);
// Whether env has a NAME=... entry.
bool env_has(const std::vector<std::string> &env, const std::string &name);
// The home directory of uid in /etc/passwd text; nullopt when there is no entry.
std::optional<std::string> passwd_home(const std::string &passwd, uid_t uid);

// ---- thin apply steps behind apply_process_attrs (need privileges) --------

void apply_rlimits(const std::vector<spec::Rlimit> &rlimits);
void apply_io_priority(const spec::IoPriority &io);
void apply_scheduler(const spec::Scheduler &s);

} // namespace hull::sys
