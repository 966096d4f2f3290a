// Pure helpers added for start-up speed: passwd lookup without NSS, and the
// choice of which CLI families to register for a command line.
#include <catch2/catch.hpp>

#include "util/passwd.hpp"

using hull::util::user_name_in;

TEST_CASE("user_name_in finds the first entry with the uid", "[perf][passwd]") {
  const char *text = "root:x:0:0:root:/root:/bin/sh\n"
                     "# comment\n"
                     "broken\n"
                     ":x:5:5::/:/bin/false\n"
                     "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                     "alias:x:1:1::/:/bin/false\n"
                     "big:x:4294967294:1::/:/bin/false";
  CHECK(user_name_in(text, 0) == "root");
  CHECK(user_name_in(text, 1) == "daemon");
  CHECK(user_name_in(text, 4294967294u) == "big");
  CHECK_FALSE(user_name_in(text, 5)); // an entry without a name does not count
  CHECK_FALSE(user_name_in(text, 2));
  CHECK_FALSE(user_name_in("", 0));
  CHECK_FALSE(user_name_in("x:x:1a:0::/:/bin/sh\n", 1)); // uid must be all digits
}

#include "cli/dispatch.hpp"
#include <string_view>
#include <vector>

TEST_CASE("families_for registers only the named command's family", "[perf][cli]") {
  using namespace hull::cli;
  using V = std::vector<std::string_view>;
  CHECK(families_for(V{"state", "x"}) == kLifecycle);
  CHECK(families_for(V{"--root", "/run/x", "list"}) == kLifecycle);
  CHECK(families_for(V{"--root=/run/x", "--debug", "--log", "l", "exec", "x", "ls"}) == kExec);
  CHECK(families_for(V{"--log-format", "json", "--systemd-cgroup", "update", "x"}) == kCgroup);
  CHECK(families_for(V{"features"}) == kSpec);
  CHECK(families_for(V{"--root", "list"}) == kAll); // "list" is --root's value: no subcommand
  CHECK(families_for(V{"--help"}) == kAll);
  CHECK(families_for(V{"-v"}) == kAll);
  CHECK(families_for(V{"checkpoint", "x"}) == kAll); // unknown here: everything
  CHECK(families_for(V{"--rootx", "list"}) == kAll);
  CHECK(families_for(V{}) == kAll);
}
