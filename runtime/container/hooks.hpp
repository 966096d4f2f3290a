// Runs OCI lifecycle hooks: each gets the state JSON on stdin, its args and
// env, runs in its own process group and is killed with its children after
// its timeout. Its stdout/stderr are captured: they end up in hull's log or
// in the error, never on the container's streams.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "spec/config.hpp"
#include "spec/state.hpp"

namespace hull::container {

// Where a hook runs decides the environment it gets when its `env` is empty
// (runc: the runtime's own environment outside, the container process's
// environment inside the container).
struct HookWhere {
  // nullopt: the runtime's environment (environ); otherwise this one.
  std::optional<std::vector<std::string>> default_env;
  // Log the output of hooks that succeed (debug level). Off inside the
  // container, where the log would be the container's stderr.
  bool log_output = true;
};

// How one hook run ended, for the pure message builder below.
struct HookOutcome {
  bool timed_out = false;
  int timeout = 0; // seconds, when timed_out
  bool exec_failed = false;
  int exec_errno = 0;   // when exec_failed
  bool exited = true;   // else signalled
  int code = 0;         // exit status or signal number
  std::string out, err; // captured (possibly truncated)
};

// Pure: the environment hook h gets.
std::vector<std::string> hook_environment(const spec::Hook &h, const HookWhere &where,
                                          char **environ_now);
// Pure: the error text for a failed hook; runc's wording with the list,
// index and path added: `error running createRuntime hook #0 (/bin/x):
// error running hook: exit status 2, stdout: ..., stderr: ...`.
std::string hook_failure_text(const char *phase, size_t index, const std::string &path,
                              const HookOutcome &o);

// Runs hooks in order; throws hull::Error on the first failure.
void run_hooks(const std::vector<spec::Hook> &hooks, const spec::State &state, const char *phase,
               const HookWhere &where = {});
// Same, but failures are logged as warnings and the rest still run
// (poststop).
void run_hooks_warn(const std::vector<spec::Hook> &hooks, const spec::State &state,
                    const char *phase, const HookWhere &where = {});

} // namespace hull::container
