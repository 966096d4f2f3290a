// Supervising a container process in the foreground (`run`, `exec`):
// forward signals, proxy the pty, return the exit code.
#pragma once

#include <sys/types.h>

#include "util/unique_fd.hpp"

namespace hull::container {

// The caller has blocked all signals. Forwards each one to pid, copies
// between the caller's terminal and master (if any), and returns pid's exit
// code (128+N when killed by signal N).
int wait_foreground(pid_t pid, unique_fd master);
// The status of waitpid as a shell exit code.
int exit_code(int status);

} // namespace hull::container
