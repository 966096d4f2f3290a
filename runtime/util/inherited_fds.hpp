// The fds the caller handed us (3, 4, ...), counted before hull opens any of
// its own, so --preserve-fds N can be checked against what really came in.
#pragma once

namespace hull {

// Call first thing in main(): remembers how many fds from 3 up are open
// without a gap.
void note_inherited_fds();

// Throws hull::Error unless fds 3+after .. 3+after+n-1 were all open at start
// (so the process gets exactly the caller's fds, never one of the runtime's
// own); after: the socket activation fds that come first.
void check_preserve_fds(int n, int after = 0);

// systemd socket activation, as runc does for create and run: when LISTEN_PID
// is this process and LISTEN_FDS is N > 0, fds 3 .. 3+N-1 are the caller's
// sockets for the container process (it gets them first, then any
// --preserve-fds, and LISTEN_FDS=N LISTEN_PID=1). Returns N, 0 when the
// variables are absent or meant for another process; throws hull::Error when
// one of those fds was not open at start.
int socket_activation_fds();

} // namespace hull
