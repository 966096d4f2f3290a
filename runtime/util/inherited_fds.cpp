#include "util/inherited_fds.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>

#include "util/error.hpp"

namespace hull {
namespace {
int g_inherited = -1; // -1: not noted (library use): no check possible

// "WHAT: fd N is not open (...)" for the first fd past those open at start.
[[noreturn]] void not_open(const std::string &what) {
  throw Error(what + ": fd " + std::to_string(3 + g_inherited) + " is not open (" +
              (g_inherited == 0 ? std::string("none is open")
                                : "only fds 3-" + std::to_string(2 + g_inherited) + " are open") +
              ")");
}

// A whole decimal number >= 0 from the environment, -1 otherwise.
long env_number(const char *name) {
  const char *v = ::getenv(name);
  if (!v || !*v) return -1;
  char *end = nullptr;
  errno = 0;
  long n = std::strtol(v, &end, 10);
  if (errno != 0 || *end != '\0' || n < 0) return -1;
  return n;
}
} // namespace

void note_inherited_fds() {
  int n = 0;
  while (::fcntl(3 + n, F_GETFD) >= 0)
    n++;
  g_inherited = n;
}

void check_preserve_fds(int n, int after) {
  if (n < 0) throw Error("--preserve-fds: must not be negative (got " + std::to_string(n) + ")");
  if (g_inherited < 0 || after + n <= g_inherited) return;
  not_open("--preserve-fds " + std::to_string(n));
}

int socket_activation_fds() {
  if (env_number("LISTEN_PID") != long(::getpid())) return 0;
  long n = env_number("LISTEN_FDS");
  if (n <= 0) return 0;
  if (g_inherited >= 0 && n > g_inherited) not_open("LISTEN_FDS " + std::to_string(n));
  return int(n);
}

} // namespace hull
