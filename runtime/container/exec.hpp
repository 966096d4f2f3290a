// `exec`: run another process inside a running container (its namespaces,
// cgroup, capabilities, seccomp profile).
#pragma once

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
};

// Returns the process's exit code (foreground) or 0 (detached).
int exec(const GlobalOptions &g, const ExecOptions &o);

} // namespace hull::container
