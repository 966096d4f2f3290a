// The deciding half of the hook runner: environment and error wording.
#include <cctype>
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

// Go's syscall.Signal names, as runc prints them ("signal: killed", "signal:
// bad system call"): the C library's descriptions of the classic signals with
// a lowercase first letter; real-time signals as "signal N".
std::string signal_text(int sig) {
  const char *d = sig >= 1 && sig <= 31 ? ::strsignal(sig) : nullptr;
  if (!d) return "signal " + std::to_string(sig);
  std::string s = d;
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
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
  if (o.exec_failed) return head + ": fork/exec " + path + ": " + errno_text(o.exec_errno);
  std::string how =
      o.exited ? "exit status " + std::to_string(o.code) : "signal: " + signal_text(o.code);
  return head + ": error running hook: " + how + ", stdout: " + trim_nl(o.out) +
         ", stderr: " + trim_nl(o.err);
}

} // namespace hull::container
