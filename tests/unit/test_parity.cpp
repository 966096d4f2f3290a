// Unit tests for the runc-parity plans: environment (dedup, HOME from
// /etc/passwd), the sysctl vs hostname/domainname rule, ioPriority idle.
#include <catch2/catch.hpp>

#include "linux/process_plan.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"

using namespace hull;

TEST_CASE("dedup_env keeps the last of each name, in order", "[parity]") {
  using V = std::vector<std::string>;
  CHECK(sys::dedup_env(V{"A=1", "B=2", "A=3"}) == V{"B=2", "A=3"});
  CHECK(sys::dedup_env(V{"PATH=/bin", "X=", "PATH=/sbin", "X=y"}) == V{"PATH=/sbin", "X=y"});
  CHECK(sys::dedup_env(V{}).empty());
  CHECK(sys::dedup_env(V{"A=1", "AB=2"}) == V{"A=1", "AB=2"});
}

TEST_CASE("env_has matches whole names only", "[parity]") {
  std::vector<std::string> env{"HOMEDIR=/x", "TERM=xterm"};
  CHECK_FALSE(sys::env_has(env, "HOME"));
  CHECK(sys::env_has(env, "TERM"));
  env.push_back("HOME=");
  CHECK(sys::env_has(env, "HOME"));
}

TEST_CASE("passwd_home finds the entry by uid", "[parity]") {
  const std::string pw = "root:x:0:0:root:/root:/bin/sh\n"
                         "# comment\n"
                         "bad line\n"
                         "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                         "u:x:1000:1000::/home/u:/bin/sh";
  CHECK(sys::passwd_home(pw, 0) == std::optional<std::string>("/root"));
  CHECK(sys::passwd_home(pw, 1) == std::optional<std::string>("/usr/sbin"));
  CHECK(sys::passwd_home(pw, 1000) == std::optional<std::string>("/home/u"));
  CHECK_FALSE(sys::passwd_home(pw, 4242).has_value());
  CHECK_FALSE(sys::passwd_home("", 0).has_value());
}

namespace {
std::string load_error(const nlohmann::json &doc) {
  try {
    spec::config_from_json(doc);
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}
nlohmann::json base() {
  return nlohmann::json::parse(R"({"ociVersion":"1.3.0","root":{"path":"rootfs"},
    "process":{"args":["sh"],"cwd":"/"},"hostname":"h",
    "linux":{"namespaces":[{"type":"uts"}]}})");
}
} // namespace

TEST_CASE("sysctl kernel.hostname is refused, kernel.domainname must agree", "[parity]") {
  auto d = base();
  // runc: the hostname field is the only way, even for the same value
  d["linux"]["sysctl"] = {{"kernel.hostname", "h"}};
  CHECK_THAT(load_error(d), Catch::Contains("conflicts with the OCI \"hostname\" field"));
  d["linux"]["sysctl"] = {{"kernel.hostname", "other"}};
  CHECK_THAT(load_error(d), Catch::Contains("conflicts with the OCI \"hostname\" field"));
  d["linux"]["sysctl"] = {{"kernel.domainname", "a"}};
  CHECK(load_error(d).empty()); // no domainname field: nothing to conflict with
  d["domainname"] = "b";
  CHECK_THAT(load_error(d), Catch::Contains("conflicts with domainname \"b\""));
}

TEST_CASE("ioPriority: the idle class needs no priority", "[parity]") {
  auto d = base();
  d["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_IDLE"}};
  CHECK(load_error(d).empty());
  d["process"]["ioPriority"] = {{"class", "IOPRIO_CLASS_BE"}};
  CHECK_THAT(load_error(d), Catch::Contains("process.ioPriority.priority"));
}
