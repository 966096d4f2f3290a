#include "util/inherited_fds.hpp"

#include <fcntl.h>
#include <string>

#include "util/error.hpp"

namespace hull {
namespace {
int g_inherited = -1; // -1: not noted (library use): no check possible
} // namespace

void note_inherited_fds() {
  int n = 0;
  while (::fcntl(3 + n, F_GETFD) >= 0)
    n++;
  g_inherited = n;
}

void check_preserve_fds(int n) {
  if (n < 0) throw Error("--preserve-fds: must not be negative (got " + std::to_string(n) + ")");
  if (g_inherited < 0 || n <= g_inherited) return;
  std::string have = g_inherited == 0
                         ? std::string("none is open")
                         : "only fds 3-" + std::to_string(2 + g_inherited) + " are open";
  throw Error("--preserve-fds " + std::to_string(n) + ": fd " + std::to_string(3 + g_inherited) +
              " is not open (" + have + ")");
}

} // namespace hull
