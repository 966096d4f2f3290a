// Which command families a command line needs. Building CLI11's description
// of every subcommand costs a short command (state, list, kill) more than its
// own work (callgrind: ~0.8 M of 1.4 M instructions for `list`), so main
// registers only the family of the subcommand named on the command line, and
// all of them when it cannot tell (help, no or an unknown subcommand).
// Pure and header-only so the unit tests cover it.
#pragma once

#include <string_view>

namespace hull::cli {

enum Family : unsigned {
  kLifecycle = 1, // create start run state kill delete list/ls
  kSpec = 2,      // spec features
  kCgroup = 4,    // pause resume update ps events
  kExec = 8,      // exec
  kAll = 15,
};

inline unsigned family_of(std::string_view cmd) {
  for (auto c : {"create", "start", "run", "state", "kill", "delete", "list", "ls"})
    if (cmd == c) return kLifecycle;
  if (cmd == "spec" || cmd == "features") return kSpec;
  for (auto c : {"pause", "resume", "update", "ps", "events"})
    if (cmd == c) return kCgroup;
  if (cmd == "exec") return kExec;
  return kAll;
}

// ARGV without the program name. Global options that take a value are
// skipped with their value; anything unexpected before the subcommand
// (help, an unknown option) means all families.
template <class Args> unsigned families_for(const Args &args) {
  bool skip_value = false;
  for (std::string_view a : args) {
    if (skip_value) {
      skip_value = false;
      continue;
    }
    if (a.empty()) return kAll;
    if (a[0] != '-') return family_of(a);
    if (a == "--debug" || a == "--systemd-cgroup") continue;
    bool valued = false;
    for (auto o : {"--root", "--log", "--log-format", "--rootless", "--criu"}) {
      std::string_view ov = o;
      if (a == ov)
        skip_value = valued = true;
      else if (a.size() > ov.size() && a.substr(0, ov.size()) == ov && a[ov.size()] == '=')
        valued = true;
    }
    if (!valued) return kAll;
  }
  return kAll;
}

} // namespace hull::cli
