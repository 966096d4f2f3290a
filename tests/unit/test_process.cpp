// Unit tests for the deciding half of process setup (runtime/linux/process_plan.hpp):
// capability sets, rlimits, user switch, ioprio, scheduler, personality and
// executable lookup. No root needed, nothing touches the kernel.
#include <catch2/catch.hpp>

#include <cerrno>
#include <map>
#include <set>
#include <sys/personality.h>
#include <sys/resource.h>

#include "linux/process.hpp"
#include "linux/process_plan.hpp"
#include "util/error.hpp"

using namespace hull;
using namespace hull::sys;

namespace {

std::string error_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const hull::Error &e) {
    return e.what();
  }
  return "<no error>";
}

spec::Capabilities caps(std::vector<std::string> b, std::vector<std::string> e,
                        std::vector<std::string> p, std::vector<std::string> i,
                        std::vector<std::string> a) {
  spec::Capabilities c;
  c.bounding = std::move(b);
  c.effective = std::move(e);
  c.permitted = std::move(p);
  c.inheritable = std::move(i);
  c.ambient = std::move(a);
  return c;
}

} // namespace

TEST_CASE("capability names map to the kernel's numbers", "[process][caps]") {
  CHECK(capability_from_name("CAP_CHOWN") == 0);
  CHECK(capability_from_name("CAP_KILL") == 5);
  CHECK(capability_from_name("CAP_NET_BIND_SERVICE") == 10);
  CHECK(capability_from_name("CAP_SYS_ADMIN") == 21);
  CHECK(capability_from_name("CAP_CHECKPOINT_RESTORE") == 40);
  CHECK(capability_from_name("CAP_TEST") == -1);
  CHECK(capability_from_name("") == -1);
  CHECK(capability_from_name("chown") == -1);
}

TEST_CASE("cap_last_cap text is parsed strictly", "[process][caps]") {
  CHECK(parse_last_cap("40\n") == 40);
  CHECK(parse_last_cap("0") == 0);
  CHECK(parse_last_cap("63\n") == 63);
  CHECK(parse_last_cap("") == -1);
  CHECK(parse_last_cap("x\n") == -1);
  CHECK(parse_last_cap("4 0") == -1);
  CHECK(parse_last_cap("-1") == -1);
}

TEST_CASE("no capabilities section drops everything", "[process][caps]") {
  CapPlan p = plan_capabilities(std::nullopt, 40);
  REQUIRE(p.drop_bounding.size() == 41);
  CHECK(p.drop_bounding.front() == 0);
  CHECK(p.drop_bounding.back() == 40);
  CHECK(p.effective.empty());
  CHECK(p.permitted.empty());
  CHECK(p.inheritable.empty());
  CHECK(p.ambient.empty());
}

TEST_CASE("bounding keeps exactly the listed caps", "[process][caps]") {
  auto c = caps({"CAP_KILL", "CAP_CHOWN", "CAP_KILL"}, {}, {}, {}, {});
  CapPlan p = plan_capabilities(c, 40);
  std::set<int> dropped(p.drop_bounding.begin(), p.drop_bounding.end());
  CHECK(dropped.size() == 39);
  CHECK(dropped.count(0) == 0);
  CHECK(dropped.count(5) == 0);
  CHECK(dropped.count(1) == 1);
  CHECK(dropped.count(40) == 1);
  CHECK(dropped.count(41) == 0);
}

TEST_CASE("sets are sorted and deduplicated numbers", "[process][caps]") {
  auto c =
      caps({}, {"CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_SYS_ADMIN"}, {"CAP_KILL"}, {"CAP_KILL"}, {});
  CapPlan p = plan_capabilities(c, 40);
  CHECK(p.effective == std::vector<int>{0, 21});
  CHECK(p.permitted == std::vector<int>{5});
  CHECK(p.inheritable == std::vector<int>{5});
}

TEST_CASE("caps above the kernel's last cap are ignored", "[process][caps]") {
  auto c = caps({"CAP_CHECKPOINT_RESTORE", "CAP_CHOWN"}, {"CAP_CHECKPOINT_RESTORE"},
                {"CAP_BPF", "CAP_CHOWN"}, {}, {});
  CapPlan p = plan_capabilities(c, 37); // a kernel without PERFMON/BPF/CHECKPOINT_RESTORE
  CHECK(p.effective.empty());
  CHECK(p.permitted == std::vector<int>{0});
  REQUIRE(p.drop_bounding.size() == 37); // 1..37
  CHECK(p.drop_bounding.front() == 1);
  CHECK(p.drop_bounding.back() == 37);
}

TEST_CASE("unknown capability names are left out and listed, like runc", "[process][caps]") {
  auto c = caps({"CAP_TEST", "CAP_KILL"}, {"CAP_KILL", "kill"}, {"CAP_KILL", "CAP_BPF"},
                {"CAP_NOPE"}, {"CAP_NOPE"});
  CapPlan p = plan_capabilities(c, 37); // CAP_BPF (39) is unknown to this kernel
  CHECK(p.effective == std::vector<int>{5});
  CHECK(p.permitted == std::vector<int>{5});
  CHECK(p.inheritable.empty());
  CHECK(p.ambient.empty());
  CHECK(p.skipped_ambient.empty());
  CHECK(p.drop_bounding.size() == 37); // 0..37 but CAP_KILL
  CHECK(ignored_capabilities(c, 37) ==
        std::vector<std::string>{"CAP_BPF", "CAP_NOPE", "CAP_TEST", "kill"});
  CHECK(ignored_capabilities(c, 40) == std::vector<std::string>{"CAP_NOPE", "CAP_TEST", "kill"});
  CHECK(ignored_capabilities(std::nullopt, 40).empty());
}

TEST_CASE("ambient needs both permitted and inheritable", "[process][caps]") {
  auto c =
      caps({"CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"}, {}, {"CAP_KILL", "CAP_CHOWN"}, // permitted
           {"CAP_KILL", "CAP_NET_RAW"},                                             // inheritable
           {"CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"});                               // ambient
  CapPlan p = plan_capabilities(c, 40);
  CHECK(p.ambient == std::vector<int>{5});
  CHECK(p.skipped_ambient == std::vector<int>{0, 13});
}

TEST_CASE("rlimit names map to RLIMIT_* resources", "[process][rlimits]") {
  CHECK(rlimit_resource("RLIMIT_NOFILE") == RLIMIT_NOFILE);
  CHECK(rlimit_resource("RLIMIT_AS") == RLIMIT_AS);
  CHECK(rlimit_resource("RLIMIT_CORE") == RLIMIT_CORE);
  CHECK(rlimit_resource("RLIMIT_RTTIME") == RLIMIT_RTTIME);
  CHECK(rlimit_resource("RLIMIT_SIGPENDING") == RLIMIT_SIGPENDING);
  CHECK(rlimit_resource("RLIMIT_TEST") == -1);
  CHECK(rlimit_resource("NOFILE") == -1);
  CHECK(rlimit_resource("rlimit_nofile") == -1);
}

TEST_CASE("rlimit plan keeps order and values", "[process][rlimits]") {
  std::vector<spec::Rlimit> in = {{"RLIMIT_NOFILE", 4000, 3000}, {"RLIMIT_CPU", 120, 60}};
  auto plan = plan_rlimits(in);
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].resource == RLIMIT_NOFILE);
  CHECK(plan[0].soft == 3000);
  CHECK(plan[0].hard == 4000);
  CHECK(plan[1].name == "RLIMIT_CPU");
  CHECK(plan[1].soft == 60);
  CHECK(plan[1].hard == 120);
  CHECK(plan_rlimits({}).empty());
}

TEST_CASE("bad rlimits are errors naming the entry", "[process][rlimits]") {
  CHECK(error_of([] {
          plan_rlimits({{"RLIMIT_NOFILE", 10, 10}, {"RLIMIT_TEST", 1024, 1024}});
        }) == "process.rlimits[1].type: unknown rlimit \"RLIMIT_TEST\"");
  CHECK(error_of([] {
          plan_rlimits({{"RLIMIT_NOFILE", 10, 20}});
        }) == "process.rlimits[0]: soft limit 20 of RLIMIT_NOFILE is above the hard limit 10");
}

TEST_CASE("user plan: ids, groups and umask", "[process][user]") {
  spec::User u;
  u.uid = 1000;
  u.gid = 100;
  u.additionalGids = {5, 10};
  UserPlan p = plan_user(u, "allow\n");
  CHECK(p.set_groups);
  CHECK(p.groups == std::vector<gid_t>{5, 10});
  CHECK(p.uid == 1000);
  CHECK(p.gid == 100);
  CHECK(p.umask == 022);

  u.umask = 002;
  CHECK(plan_user(u, "").umask == 002);
  CHECK(plan_user(u, "").set_groups); // no file: setgroups is allowed
}

TEST_CASE("user plan: setgroups denied in a user namespace", "[process][user]") {
  spec::User u;
  u.uid = 0;
  UserPlan p = plan_user(u, "deny\n");
  CHECK_FALSE(p.set_groups);
  u.additionalGids = {5};
  CHECK(error_of([&] { plan_user(u, "deny\n"); })
            .find("process.user.additionalGids: setgroups "
                  "is denied") == 0);
}

TEST_CASE("ioprio values are class << 13 | priority", "[process][ioprio]") {
  CHECK(ioprio_value({"IOPRIO_CLASS_RT", 3}) == ((1 << 13) | 3));
  CHECK(ioprio_value({"IOPRIO_CLASS_BE", 0}) == (2 << 13));
  CHECK(ioprio_value({"IOPRIO_CLASS_IDLE", 7}) == ((3 << 13) | 7));
  CHECK(error_of([] {
          ioprio_value({"IOPRIO_CLASS_NONE", 0});
        }) == "process.ioPriority.class: unknown class \"IOPRIO_CLASS_NONE\"");
  CHECK(error_of([] {
          ioprio_value({"IOPRIO_CLASS_BE", 8});
        }) == "process.ioPriority.priority: 8 is out of range 0-7");
  CHECK(error_of([] {
          ioprio_value({"IOPRIO_CLASS_BE", -1});
        }) == "process.ioPriority.priority: -1 is out of range 0-7");
}

TEST_CASE("scheduler policies and flags", "[process][sched]") {
  CHECK(sched_policy("SCHED_OTHER") == 0);
  CHECK(sched_policy("SCHED_FIFO") == 1);
  CHECK(sched_policy("SCHED_RR") == 2);
  CHECK(sched_policy("SCHED_BATCH") == 3);
  CHECK(sched_policy("SCHED_ISO") == 4);
  CHECK(sched_policy("SCHED_IDLE") == 5);
  CHECK(sched_policy("SCHED_DEADLINE") == 6);
  CHECK(sched_policy("SCHED_NORMAL") == -1);
  CHECK(sched_flag("SCHED_FLAG_RESET_ON_FORK") == 0x01);
  CHECK(sched_flag("SCHED_FLAG_UTIL_CLAMP_MAX") == 0x40);
  CHECK(sched_flag("SCHED_FLAG_NOPE") == 0);
}

TEST_CASE("sched_attr is built from process.scheduler", "[process][sched]") {
  spec::Scheduler s;
  s.policy = "SCHED_DEADLINE";
  s.nice = -5;
  s.priority = 0;
  s.flags = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"};
  s.runtime = 10000000;
  s.deadline = 30000000;
  s.period = 30000000;
  SchedAttr a = build_sched_attr(s);
  CHECK(a.size == 56);
  CHECK(a.sched_policy == 6);
  CHECK(a.sched_flags == 0x03);
  CHECK(a.sched_nice == -5);
  CHECK(a.sched_runtime == 10000000);
  CHECK(a.sched_deadline == 30000000);
  CHECK(a.sched_period == 30000000);

  spec::Scheduler rr;
  rr.policy = "SCHED_RR";
  rr.priority = 42;
  SchedAttr b = build_sched_attr(rr);
  CHECK(b.sched_policy == 2);
  CHECK(b.sched_priority == 42);
  CHECK(b.sched_flags == 0);

  rr.flags = {"SCHED_FLAG_BOGUS"};
  CHECK(error_of([&] { build_sched_attr(rr); }) ==
        "process.scheduler.flags: unknown flag \"SCHED_FLAG_BOGUS\"");
  rr.policy = "SCHED_WHATEVER";
  CHECK(error_of([&] { build_sched_attr(rr); }) ==
        "process.scheduler.policy: unknown policy \"SCHED_WHATEVER\"");
}

TEST_CASE("personality domain and flags", "[process][personality]") {
  CHECK(personality_value({"LINUX", {}}) == PER_LINUX);
  CHECK(personality_value({"LINUX32", {}}) == PER_LINUX32);
  CHECK(personality_value({"LINUX", {"ADDR_NO_RANDOMIZE"}}) == ADDR_NO_RANDOMIZE);
  CHECK(personality_value({"LINUX32", {"UNAME26", "SHORT_INODE"}}) ==
        (static_cast<unsigned long>(PER_LINUX32) | UNAME26 | SHORT_INODE));
  CHECK(error_of([] {
          personality_value({"SUNOS", {}});
        }) == "linux.personality.domain: unknown domain \"SUNOS\"");
  CHECK(error_of([] {
          personality_value({"LINUX", {"NOPE"}});
        }) == "linux.personality.flags: unknown flag \"NOPE\"");
}

namespace {

// A fake filesystem for the PATH search: path -> what stat/access would say.
struct FakeFs {
  std::map<std::string, PathProbe> files;
  std::vector<std::string> probed;
  ProbeFn fn() {
    return [this](const std::string &p) {
      probed.push_back(p);
      auto it = files.find(p);
      if (it == files.end()) return PathProbe{ENOENT, false, false};
      return it->second;
    };
  }
};

const PathProbe kExe{0, false, true};
const PathProbe kNoExec{0, false, false};
const PathProbe kDir{0, true, true};

} // namespace

TEST_CASE("PATH comes from the process env, last one wins", "[process][exec]") {
  CHECK(!path_from_env({"HOME=/", "TERM=xterm"}).has_value());
  CHECK(path_from_env({"PATH=/a", "X=1", "PATH=/b:/c"}) == "/b:/c");
  CHECK(path_from_env({"MYPATH=/x"}) == std::nullopt);
  CHECK(path_from_env({"PATH="}) == "");
}

TEST_CASE("args[0] with a slash is used as is after a check", "[process][exec]") {
  FakeFs fs;
  fs.files["/bin/sh"] = kExe;
  fs.files["/etc/passwd"] = kNoExec;
  fs.files["/bin"] = kDir;
  fs.files["./run.sh"] = kExe;
  CHECK(resolve_executable("/bin/sh", {}, fs.fn()) == "/bin/sh");
  CHECK(resolve_executable("./run.sh", {}, fs.fn()) == "./run.sh");
  CHECK(error_of([&] { resolve_executable("/x", {}, fs.fn()); }) ==
        "exec: \"/x\": stat /x: no such file or directory");
  CHECK(error_of([&] { resolve_executable("/etc/passwd", {}, fs.fn()); }) ==
        "exec: \"/etc/passwd\": permission denied");
  CHECK(error_of([&] { resolve_executable("/bin", {}, fs.fn()); }) ==
        "exec: \"/bin\": is a directory");
}

TEST_CASE("a bare name is searched in PATH in order", "[process][exec]") {
  FakeFs fs;
  fs.files["/usr/bin/tool"] = kNoExec; // not executable: skipped
  fs.files["/opt/bin/tool"] = kExe;
  fs.files["/usr/local/bin/tool"] = kExe;
  fs.files["/sbin/tool"] = kDir;
  std::vector<std::string> env = {"PATH=/sbin:/usr/bin:/opt/bin/:/usr/local/bin"};
  CHECK(resolve_executable("tool", env, fs.fn()) == "/opt/bin/tool");
  CHECK(fs.probed == std::vector<std::string>{"/sbin/tool", "/usr/bin/tool", "/opt/bin/tool"});
}

TEST_CASE("no PATH in env uses the default PATH", "[process][exec]") {
  FakeFs fs;
  fs.files["/bin/busybox"] = kExe;
  CHECK(resolve_executable("busybox", {"HOME=/root"}, fs.fn()) == "/bin/busybox");
  CHECK(fs.probed.size() == 6);
  CHECK(fs.probed.front() == "/usr/local/sbin/busybox");
}

TEST_CASE("empty PATH entries mean the current directory", "[process][exec]") {
  FakeFs fs;
  fs.files["./app"] = kExe;
  CHECK(resolve_executable("app", {"PATH=/bin::/usr/bin"}, fs.fn()) == "./app");
  FakeFs fs2;
  fs2.files["./app"] = kExe;
  CHECK(resolve_executable("app", {"PATH="}, fs2.fn()) == "./app");
}

TEST_CASE("a name not in PATH is runc's error", "[process][exec]") {
  FakeFs fs;
  CHECK(error_of([&] { resolve_executable("foo", {"PATH=/bin:/usr/bin"}, fs.fn()); }) ==
        "exec: \"foo\": executable file not found in $PATH");
  CHECK(fs.probed == std::vector<std::string>{"/bin/foo", "/usr/bin/foo"});
  CHECK(error_of([&] { resolve_executable("", {}, fs.fn()); }) == "process.args: args[0] is empty");
}

TEST_CASE("find_executable needs args", "[process][exec]") {
  spec::Process p;
  CHECK(error_of([&] { find_executable(p); }) == "process.args: must not be empty");
}

TEST_CASE("seccomp without no_new_privs keeps CAP_SYS_ADMIN until exec", "[process][caps]") {
  auto c = caps({"CAP_KILL"}, {"CAP_KILL"}, {"CAP_CHOWN", "CAP_KILL"}, {"CAP_KILL"}, {"CAP_KILL"});
  CapPlan p = keep_for_seccomp(plan_capabilities(c, 40));
  CHECK(p.effective == std::vector<int>{5, 21});
  CHECK(p.permitted == std::vector<int>{0, 5, 21});
  CHECK(p.inheritable == std::vector<int>{5}); // never inherited across exec
  CHECK(p.ambient == std::vector<int>{5});
  CHECK(p.drop_bounding.size() == 40); // bounding unchanged: 21 is still dropped
  CapPlan twice = keep_for_seccomp(p);
  CHECK(twice.effective == p.effective);
  CHECK(twice.permitted == p.permitted);
}
