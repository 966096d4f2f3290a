// The fds the caller handed us (3, 4, ...), counted before hull opens any of
// its own, so --preserve-fds N can be checked against what really came in.
#pragma once

namespace hull {

// Call first thing in main(): remembers how many fds from 3 up are open
// without a gap.
void note_inherited_fds();

// Throws hull::Error unless fds 3 .. 3+n-1 were all open at start (so the
// process gets exactly the caller's fds, never one of the runtime's own).
void check_preserve_fds(int n);

} // namespace hull
