// process.terminal: the init opens a pty in the container's devpts, makes it
// its controlling terminal and stdio, and hands the master to the runtime,
// which passes it to --console-socket (SCM_RIGHTS, like runc) or proxies it.
#pragma once

#include <optional>
#include <string>

#include "spec/config.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

// In the container's mount namespace: opens /dev/ptmx, binds the slave onto
// /dev/console (the init; not for exec), sets the window size, makes the
// slave the controlling tty and fds 0-2. Returns the master.
unique_fd setup_console(const std::optional<spec::ConsoleSize> &size, bool bind_console = true);

// Runtime: connects to the unix socket at path and sends master with SCM_RIGHTS.
void send_to_console_socket(const std::string &path, int master);

// Runtime (`run` in the foreground without --console-socket): copies stdin to
// the master and the master to stdout until the master hangs up or
// `stop_fd` becomes readable; the caller's terminal is put in raw mode while
// this runs.
void proxy_terminal(int master, int stop_fd);

} // namespace hull::sys
