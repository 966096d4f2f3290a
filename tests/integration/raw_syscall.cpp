// raw_syscall NR: makes syscall NR with no arguments and prints the errno
// name the kernel (or a seccomp filter) answered with, or "ok". Static, so it
// runs in any rootfs; the seccomp parity test copies it into a bundle.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: raw_syscall NR\n");
    return 2;
  }
  errno = 0;
  long r = syscall(std::strtol(argv[1], nullptr, 0));
  if (r >= 0) {
    std::puts("ok");
  } else {
    const char *name = strerrorname_np(errno);
    std::puts(name ? name : "unknown");
  }
  return 0;
}
