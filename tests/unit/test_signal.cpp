// kill's signal argument (container::parse_signal).
#include <catch2/catch.hpp>
#include <csignal>

#include "container/lifecycle.hpp"

TEST_CASE("kill's signal argument is parsed strictly", "[signal]") {
  using hull::container::parse_signal;
  CHECK(parse_signal("9") == SIGKILL);
  CHECK(parse_signal("0") == 0);
  CHECK(parse_signal("sigterm") == SIGTERM);
  CHECK(parse_signal("KILL") == SIGKILL);
  CHECK(parse_signal("RTMIN") == SIGRTMIN);
  CHECK(parse_signal("SIGRTMIN+3") == SIGRTMIN + 3);
  CHECK(parse_signal("RTMAX-2") == SIGRTMAX - 2);
  // atoi read these as 1, 9 and SIGRTMIN: a typo sent a real signal
  for (const char *bad : {"1.5", "9x", "0009", "RTMINx", "RTMIN-1", "RTMAX+1", "RTMIN+", "BOGUS"})
    CHECK_THROWS_WITH(parse_signal(bad), Catch::Contains("unknown signal"));
  CHECK_THROWS_WITH(parse_signal("99"), Catch::Contains("invalid signal \"99\""));
  CHECK_THROWS_WITH(parse_signal(""), Catch::Contains("invalid signal"));
}
