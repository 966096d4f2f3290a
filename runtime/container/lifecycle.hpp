// The lifecycle operations behind the CLI: create, start, kill, delete.
#pragma once

#include <string>

#include "container/container.hpp"
#include "util/unique_fd.hpp"

namespace hull::container {

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  bool keep_pty = false;     // `run` in the foreground: keep the pty master to proxy
  bool need_process = false; // `run`: a config without process has nothing to run
};

struct Created {
  pid_t pid = 0;
  unique_fd pty_master; // only with keep_pty and process.terminal
};

// Creates the container; returns once it is "created" (state + pid file written).
// On failure nothing is left behind and the error names the cause.
Created create(const GlobalOptions &g, const CreateOptions &o);
// Releases the init blocked on exec.fifo; runs poststart hooks.
void start(const GlobalOptions &g, const std::string &id);
// Reaps our child pid once it has been sent SIGKILL: waits up to ~5 s (a
// process stuck in uninterruptible sleep must not hang the command).
void reap_killed(pid_t pid);
// Sends sig to the init, or with all to every process of the cgroup.
void kill(const GlobalOptions &g, const std::string &id, int sig, bool all);
// Removes a stopped (or created, or with force any) container and all it owned.
void remove(const GlobalOptions &g, const std::string &id, bool force);

// "SIGTERM", "TERM", "15" -> 15; throws on unknown names.
int parse_signal(const std::string &s);
// RFC3339 with nanoseconds, UTC.
std::string rfc3339_nano_now();

} // namespace hull::container
