// The deciding half of the hook runner: environment and error wording.
#include <cstring>

#include "container/hooks.hpp"
#include "util/errno_text.hpp"

namespace hull::container {
namespace {

std::string trim_nl(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

// Go's syscall.Signal names, as runc prints them ("signal: killed").
std::string signal_text(int sig) {
  switch (sig) {
  case 9:
    return "killed";
  case 15:
    return "terminated";
  case 6:
    return "aborted";
  case 11:
    return "segmentation fault";
  case 2:
    return "interrupt";
  case 1:
    return "hangup";
  case 13:
    return "broken pipe";
  }
  const char *d = ::strsignal(sig);
  return d ? std::string(d) : "signal " + std::to_string(sig);
}

} // namespace

std::vector<std::string> hook_environment(const spec::Hook &h, const HookWhere &where,
                                          char **environ_now) {
  if (!h.env.empty()) return h.env;
  if (where.default_env) return *where.default_env;
  std::vector<std::string> out;
  for (char **e = environ_now; e && *e; ++e)
    out.emplace_back(*e);
  return out;
}

std::string hook_failure_text(const char *phase, size_t index, const std::string &path,
                              const HookOutcome &o) {
  std::string head =
      "error running " + std::string(phase) + " hook #" + std::to_string(index) + " (" + path + ")";
  if (o.timed_out)
    return head + ": hook ran past specified timeout of " + std::to_string(o.timeout) + ".0s";
  if (o.exec_failed)
    return head + ": fork/exec " + path + ": " + errno_text(o.exec_errno);
  std::string how =
      o.exited ? "exit status " + std::to_string(o.code) : "signal: " + signal_text(o.code);
  return head + ": error running hook: " + how + ", stdout: " + trim_nl(o.out) +
         ", stderr: " + trim_nl(o.err);
}

} // namespace hull::container
