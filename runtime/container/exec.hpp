// `exec`: run another process inside a running container (its namespaces,
// cgroup, capabilities, seccomp profile).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "container/container.hpp"

namespace hull::container {

struct ExecOptions {
  std::string id;
  std::string process_file; // --process: a runtime-spec process JSON
  std::vector<std::string> args;
  std::vector<std::string> env; // -e, appended
  std::string cwd;
  std::string user; // -u uid[:gid]
  std::vector<std::string> additional_gids;
  std::vector<std::string> caps; // --cap, added to every set
  std::string apparmor, label;
  bool tty = false, detach = false, no_new_privs = false, ignore_paused = false;
  std::string console_socket, pid_file;
  int preserve_fds = 0;
  std::vector<std::string> cgroups; // --cgroup [controller[,controller]:]path
};

// The command-line overrides on top of the process (pure): -t, -e (appended;
// the last of a name wins at exec), --cwd, -u uid[:gid], -g, --cap (added to
// bounding, effective and permitted, and to ambient only when the process has
// inheritable capabilities, as runc), --no-new-privs, --apparmor,
// --process-label. Throws hull::Error naming the flag.
void apply_exec_flags(spec::Process &p, const ExecOptions &o);

// --cgroup values -> sub-cgroup path by controller ("" = all controllers).
// Paths are relative to the container's cgroup: a leading '/' is dropped,
// "..", empty paths and a controller named twice are refused (hull::Error).
std::map<std::string, std::string> parse_exec_cgroups(const std::vector<std::string> &values);

// Returns the process's exit code (foreground) or 0 (detached).
int exec(const GlobalOptions &g, const ExecOptions &o);

} // namespace hull::container
