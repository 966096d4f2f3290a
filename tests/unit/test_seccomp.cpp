// seccomp plan/compile/cache/notify-state and LSM decisions. Filters are
// loaded only in forked children (with no_new_privs), so no root is needed.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "linux/lsm.hpp"
#include "linux/seccomp.hpp"
#include "linux/seccomp_cache.hpp"
#include "linux/seccomp_enosys.hpp"
#include "linux/sha256.hpp"
#include "util/error.hpp"

using namespace hull;
using namespace hull::sys;
namespace fs = std::filesystem;

namespace {

std::string hash_hex(const std::string &s) {
  return to_hex(sha256(s.data(), s.size()));
}

spec::SeccompSyscall call(std::vector<std::string> names, std::string action,
                          std::optional<uint32_t> errno_ret = std::nullopt,
                          std::vector<spec::SeccompArg> args = {}) {
  spec::SeccompSyscall s;
  s.names = std::move(names);
  s.action = std::move(action);
  s.errnoRet = errno_ret;
  s.args = std::move(args);
  return s;
}

spec::SeccompArg arg(uint32_t index, uint64_t value, std::string op, uint64_t two = 0) {
  spec::SeccompArg a;
  a.index = index;
  a.value = value;
  a.valueTwo = two;
  a.op = std::move(op);
  return a;
}

spec::Seccomp allow_all() {
  spec::Seccomp sc;
  sc.defaultAction = "SCMP_ACT_ALLOW";
  sc.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  return sc;
}

std::string msg_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const std::exception &e) {
    return e.what();
  }
  return "";
}

// Runs body in a child after loading sc's compiled filter; returns the raw
// wait status. body returns the child's exit code.
int run_filtered(const spec::Seccomp &sc, const std::function<int()> &body) {
  SeccompProgram prog = compile_seccomp(plan_seccomp(sc));
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    try {
      load_seccomp(prog);
    } catch (...) {
      _exit(99);
    }
    // Raw exit_group: sanitizer _exit hooks (leak checks) would need
    // syscalls the filter under test may deny.
    syscall(SYS_exit_group, body());
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return st;
}

// Child exit code = errno of getpgid(v) (0 when it succeeded).
int getpgid_errno(long v) {
  errno = 0;
  long r = syscall(SYS_getpgid, v);
  return r < 0 ? errno : 0;
}

struct TempDir {
  fs::path path;
  TempDir() {
    char t[] = "/tmp/hull-seccomp-test.XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(path); }
};

} // namespace

TEST_CASE("sha256 matches the FIPS 180-2 vectors", "[seccomp][sha256]") {
  CHECK(hash_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hash_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  CHECK(hash_hex(million) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  Sha256 h; // incremental updates across block boundaries give the same digest
  for (char c : million)
    h.update(&c, 1);
  CHECK(to_hex(h.digest()) == hash_hex(million));
}

TEST_CASE("seccomp actions map to libseccomp values", "[seccomp]") {
  CHECK(seccomp_action("SCMP_ACT_KILL", {}) == SCMP_ACT_KILL_THREAD);
  CHECK(seccomp_action("SCMP_ACT_KILL_THREAD", {}) == SCMP_ACT_KILL_THREAD);
  CHECK(seccomp_action("SCMP_ACT_KILL_PROCESS", {}) == SCMP_ACT_KILL_PROCESS);
  CHECK(seccomp_action("SCMP_ACT_TRAP", {}) == SCMP_ACT_TRAP);
  CHECK(seccomp_action("SCMP_ACT_ERRNO", {}) == SCMP_ACT_ERRNO(EPERM));
  CHECK(seccomp_action("SCMP_ACT_ERRNO", 38u) == SCMP_ACT_ERRNO(38));
  CHECK(seccomp_action("SCMP_ACT_TRACE", 7u) == SCMP_ACT_TRACE(7));
  CHECK(seccomp_action("SCMP_ACT_TRACE", {}) == SCMP_ACT_TRACE(EPERM));
  CHECK(seccomp_action("SCMP_ACT_ALLOW", {}) == SCMP_ACT_ALLOW);
  CHECK(seccomp_action("SCMP_ACT_LOG", {}) == SCMP_ACT_LOG);
  CHECK(seccomp_action("SCMP_ACT_NOTIFY", {}) == SCMP_ACT_NOTIFY);
  CHECK_THROWS_AS(seccomp_action("SCMP_ACT_MAYBE", {}), Error);
}

TEST_CASE("seccomp plan rejects bad input naming the field", "[seccomp]") {
  auto sc = allow_all();
  sc.defaultAction = "SCMP_ACT_NOPE";
  CHECK(msg_of([&] { plan_seccomp(sc); }) ==
        "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"");

  // 16 bits reach the kernel (65537 was errno 1); libseccomp takes errnos below 4095
  sc = allow_all();
  sc.syscalls = {call({"read"}, "SCMP_ACT_ERRNO", 65537u)};
  CHECK(msg_of([&] { plan_seccomp(sc); }) ==
        "linux.seccomp.syscalls[0].action: errnoRet 65537 out of range (0 to 4094)");
  sc.syscalls = {call({"read"}, "SCMP_ACT_ERRNO", 4095u)};
  CHECK(msg_of([&] { plan_seccomp(sc); }) ==
        "linux.seccomp.syscalls[0].action: errnoRet 4095 out of range (0 to 4094)");
  sc.syscalls = {call({"read"}, "SCMP_ACT_ERRNO", 4094u)};
  CHECK_NOTHROW(plan_seccomp(sc));

  sc = allow_all();
  sc.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_BOGUS"};
  CHECK(msg_of([&] { plan_seccomp(sc); }) ==
        "linux.seccomp.flags[1]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_BOGUS\"");

  sc = allow_all();
  sc.architectures.push_back("SCMP_ARCH_VAX");
  CHECK(msg_of([&] { plan_seccomp(sc); }) ==
        "linux.seccomp.architectures[3]: unknown architecture \"SCMP_ARCH_VAX\"");

  sc = allow_all();
  sc.syscalls = {call({"mkdir"}, "SCMP_ACT_ERRNO", {}, {arg(0, 1, "SCMP_CMP_SORTOF")})};
  CHECK(msg_of([&] { plan_seccomp(sc); }) ==
        "linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_SORTOF\"");

  sc = allow_all();
  sc.syscalls = {call({"mkdir"}, "SCMP_ACT_ERRNO", {}, {arg(6, 1, "SCMP_CMP_EQ")})};
  CHECK(msg_of([&] { plan_seccomp(sc); }).find("syscalls[0].args[0].index") != std::string::npos);

  sc = allow_all();
  sc.syscalls = {call({"mkdir"}, "SCMP_ACT_WHATEVER")};
  CHECK(msg_of([&] { plan_seccomp(sc); }) ==
        "linux.seccomp.syscalls[0].action: unknown seccomp action \"SCMP_ACT_WHATEVER\"");

  sc = allow_all();
  sc.syscalls = {call({"mkdir"}, "SCMP_ACT_NOTIFY")};
  CHECK(msg_of([&] { plan_seccomp(sc); }).find("listenerPath") != std::string::npos);
  sc.listenerPath = "/run/l.sock";
  CHECK(plan_seccomp(sc).notify);
  sc.syscalls = {call({"write"}, "SCMP_ACT_NOTIFY")};
  CHECK(msg_of([&] { plan_seccomp(sc); }).find("cannot be used for the write syscall") !=
        std::string::npos);

  sc = allow_all();
  sc.defaultAction = "SCMP_ACT_NOTIFY";
  CHECK_THROWS_AS(plan_seccomp(sc), Error);
}

TEST_CASE("seccomp plan: flags, arches, default-action rules, same-arg split", "[seccomp]") {
  auto sc = allow_all();
  sc.architectures.push_back("SCMP_ARCH_X86_64"); // duplicate is harmless
  sc.flags = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
              "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC"};
  sc.syscalls = {
      call({"getcwd"}, "SCMP_ACT_ALLOW"), // same as default: dropped
      call({"personality"}, "SCMP_ACT_ERRNO", 1u,
           {arg(0, 0, "SCMP_CMP_NE"), arg(0, 8, "SCMP_CMP_NE")}), // same index: split
      call({"clone", "clone3"}, "SCMP_ACT_ERRNO", {},
           {arg(0, 1, "SCMP_CMP_MASKED_EQ", 1), arg(1, 2, "SCMP_CMP_GT")}), // kept ANDed
  };
  auto p = plan_seccomp(sc);
  CHECK(p.arches.size() == 3);
  CHECK(p.flags == (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |
                    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_TSYNC));
  CHECK_FALSE(p.notify);
  REQUIRE(p.rules.size() == 4);
  CHECK(p.rules[0].syscall == "personality");
  CHECK(p.rules[0].args.size() == 1);
  CHECK(p.rules[1].args.size() == 1);
  CHECK(p.rules[1].args[0].value == 8);
  CHECK(p.rules[0].action == SCMP_ACT_ERRNO(1));
  CHECK(p.rules[2].syscall == "clone");
  CHECK(p.rules[3].syscall == "clone3");
  REQUIRE(p.rules[2].args.size() == 2);
  CHECK(p.rules[2].args[0].op == SCMP_CMP_MASKED_EQ);
  CHECK(p.rules[2].args[0].valueTwo == 1);
  CHECK(p.rules[2].args[1].op == SCMP_CMP_GT);
  CHECK(p.rules[2].action == SCMP_ACT_ERRNO(EPERM));

  // defaultErrnoRet shapes the default action.
  sc = allow_all();
  sc.defaultAction = "SCMP_ACT_ERRNO";
  sc.defaultErrnoRet = 38;
  CHECK(plan_seccomp(sc).default_action == SCMP_ACT_ERRNO(38));
}

TEST_CASE("seccomp load point follows noNewPrivileges", "[seccomp]") {
  spec::Process p;
  p.noNewPrivileges = true;
  CHECK_FALSE(seccomp_load_early(p));
  p.noNewPrivileges = false;
  CHECK(seccomp_load_early(p));
}

TEST_CASE("compiled filters act as configured", "[seccomp][kernel]") {
  SECTION("ERRNO with errnoRet, unknown names skipped") {
    auto sc = allow_all();
    sc.syscalls = {call({"no_such_syscall_xyz", "getpgid"}, "SCMP_ACT_ERRNO", ENOMEDIUM)};
    int st = run_filtered(sc, [] { return getpgid_errno(0); });
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == ENOMEDIUM);
  }
  SECTION("default ERRNO with defaultErrnoRet, allow-listed syscalls pass") {
    spec::Seccomp sc;
    sc.defaultAction = "SCMP_ACT_ERRNO";
    sc.defaultErrnoRet = ENOTSUP;
    sc.syscalls = {call({"exit", "exit_group", "getpgid"}, "SCMP_ACT_ALLOW")};
    int st = run_filtered(sc, [] {
      if (getpgid_errno(0) != 0) return 1;
      errno = 0;
      return syscall(SYS_getppid) < 0 ? errno : 0;
    });
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == ENOTSUP);
  }
  SECTION("syscalls newer than the profile's last one fail with ENOSYS, as in runc") {
    spec::Seccomp sc;
    sc.defaultAction = "SCMP_ACT_ERRNO"; // EPERM
    sc.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
    sc.syscalls = {call({"exit", "exit_group", "getpgid"}, "SCMP_ACT_ALLOW")};
    // 1000 is above exit_group (231): ENOSYS; getppid (110) is below it and
    // not listed: the default action (EPERM).
    int st = run_filtered(sc, [] {
      errno = 0;
      if (syscall(1000) >= 0 || errno != ENOSYS) return 1;
      errno = 0;
      if (syscall(SYS_getppid) >= 0 || errno != EPERM) return 2;
      return getpgid_errno(0) == 0 ? 0 : 3;
    });
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
    // no stub when the default already is ENOSYS-like or lets calls through
    sc.defaultErrnoRet = ENOSYS;
    CHECK(!wants_enosys_stub(plan_seccomp(sc)));
    sc.defaultErrnoRet.reset();
    sc.defaultAction = "SCMP_ACT_ALLOW";
    CHECK(!wants_enosys_stub(plan_seccomp(sc)));
    sc.defaultAction = "SCMP_ACT_KILL_PROCESS";
    CHECK(wants_enosys_stub(plan_seccomp(sc)));
    // x32 numbers are compared with x32's own last syscall
    const auto last = last_syscalls(plan_seccomp(sc));
    CHECK(last.at(SCMP_ARCH_X86_64) == 231);
    CHECK(last.at(SCMP_ARCH_X32) == (0x40000000u | 231));
  }
  SECTION("every comparison operator") {
    struct Case {
      const char *op;
      uint64_t value, two;
      long hit, miss;
    } cases[] = {
        {"SCMP_CMP_EQ", 4242, 0, 4242, 4243},
        {"SCMP_CMP_NE", 0, 0, 4242, 0},
        {"SCMP_CMP_LT", 100, 0, 99, 100},
        {"SCMP_CMP_LE", 100, 0, 100, 101},
        {"SCMP_CMP_GT", 100000, 0, 100001, 100000},
        {"SCMP_CMP_GE", 100000, 0, 100000, 99999},
        {"SCMP_CMP_MASKED_EQ", 0xff00, 0x4200, 0x4211, 0x4311},
    };
    for (const auto &c : cases) {
      INFO(c.op);
      auto sc = allow_all();
      sc.syscalls = {call({"getpgid"}, "SCMP_ACT_ERRNO", EL2HLT, {arg(0, c.value, c.op, c.two)})};
      long hit = c.hit, miss = c.miss;
      int st = run_filtered(sc, [&] {
        if (getpgid_errno(hit) != EL2HLT) return 1;
        if (getpgid_errno(miss) == EL2HLT) return 2;
        return 0;
      });
      REQUIRE(WIFEXITED(st));
      CHECK(WEXITSTATUS(st) == 0);
    }
  }
  SECTION("KILL_PROCESS, KILL_THREAD and TRAP end in SIGSYS") {
    for (const char *act : {"SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL", "SCMP_ACT_TRAP"}) {
      INFO(act);
      auto sc = allow_all();
      sc.syscalls = {call({"getpgid"}, act)};
      int st = run_filtered(sc, [] { return getpgid_errno(0) + 50; });
      REQUIRE(WIFSIGNALED(st));
      CHECK(WTERMSIG(st) == SIGSYS);
    }
  }
  SECTION("LOG allows, TRACE without a tracer fails with ENOSYS") {
    auto sc = allow_all();
    sc.syscalls = {call({"getpgid"}, "SCMP_ACT_LOG"), call({"getppid"}, "SCMP_ACT_TRACE", 3u)};
    int st = run_filtered(sc, [] {
      if (getpgid_errno(0) != 0) return 1;
      errno = 0;
      return syscall(SYS_getppid) < 0 && errno == ENOSYS ? 0 : 2;
    });
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
  }
  SECTION("NOTIFY returns a listener fd") {
    auto sc = allow_all();
    sc.listenerPath = "/nonexistent";
    sc.syscalls = {call({"getpgid"}, "SCMP_ACT_NOTIFY")};
    auto prog = compile_seccomp(plan_seccomp(sc));
    CHECK(prog.notify);
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      int fd = load_seccomp(prog);
      if (fd < 0) _exit(1);
      int fl = fcntl(fd, F_GETFD);
      _exit(fl >= 0 && (fl & FD_CLOEXEC) ? 0 : 2);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    REQUIRE(WIFEXITED(st));
    CHECK(WEXITSTATUS(st) == 0);
  }
}

TEST_CASE("seccomp cache key is canonical and sensitive", "[seccomp][cache]") {
  auto a = allow_all();
  a.syscalls = {call({"mkdir"}, "SCMP_ACT_ERRNO", 1u, {arg(1, 2, "SCMP_CMP_EQ")})};
  auto b = a;
  CHECK(seccomp_cache_key(a) == seccomp_cache_key(b));
  CHECK(seccomp_cache_key(a).size() == 64);
  b.syscalls[0].errnoRet = 2;
  CHECK(seccomp_cache_key(a) != seccomp_cache_key(b));
  b = a;
  b.syscalls[0].args[0].valueTwo = 1;
  CHECK(seccomp_cache_key(a) != seccomp_cache_key(b));
  b = a;
  b.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  CHECK(seccomp_cache_key(a) != seccomp_cache_key(b));
  auto j = nlohmann::json::parse(seccomp_canonical_json(a));
  CHECK(j["syscalls"][0]["names"][0] == "mkdir");
  CHECK(j.dump() == seccomp_canonical_json(a)); // sorted keys, no spaces

  // Escaping matches nlohmann's, so the text is canonical JSON.
  auto odd = a;
  odd.listenerMetadata = "q\"b\\s/\n\t\x01\x1f caf\xc3\xa9";
  odd.listenerPath = "/run/x.sock";
  odd.defaultErrnoRet = 38;
  odd.syscalls.push_back(call({"x"}, "SCMP_ACT_LOG"));
  odd.syscalls[0].args.push_back(arg(5, UINT64_MAX, "SCMP_CMP_MASKED_EQ", 7));
  const std::string text = seccomp_canonical_json(odd);
  CHECK(nlohmann::json::parse(text).dump() == text);
  CHECK(nlohmann::json::parse(text)["listenerMetadata"] == odd.listenerMetadata);
  CHECK(seccomp_cache_key(odd) != seccomp_cache_key(a));
}

TEST_CASE("seccomp cache stores, verifies and evicts", "[seccomp][cache]") {
  TempDir td;
  const std::string dir = (td.path / "seccomp-cache").string();
  auto sc = allow_all();
  sc.syscalls = {call({"getpgid"}, "SCMP_ACT_ERRNO", 5u)};
  const std::string key = seccomp_cache_key(sc);
  auto fresh = compile_seccomp(plan_seccomp(sc));
  const std::string file = dir + "/" + key + ".bpf";

  auto same = [&](const std::vector<sock_filter> &got) {
    return got.size() == fresh.bpf.size() &&
           std::memcmp(got.data(), fresh.bpf.data(), got.size() * sizeof(sock_filter)) == 0;
  };

  SECTION("round trip through prepare_seccomp") {
    spec::Linux lnx;
    lnx.seccomp = sc;
    CHECK_FALSE(fs::exists(file));
    auto p1 = prepare_seccomp(&lnx, dir);
    REQUIRE(p1);
    CHECK(same(p1->bpf));
    REQUIRE(fs::exists(file));
    CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms::owner_all);
    auto hit = seccomp_cache_load(dir, key);
    REQUIRE(hit);
    CHECK(same(*hit));
    auto p2 = prepare_seccomp(&lnx, dir);
    REQUIRE(p2);
    CHECK(same(p2->bpf));
    spec::Linux none;
    CHECK_FALSE(prepare_seccomp(&none, dir));
    CHECK_FALSE(prepare_seccomp(nullptr, dir));
  }
  SECTION("a flipped program byte is detected and rebuilt") {
    seccomp_cache_store(dir, key, fresh.bpf, kSeccompCacheMaxBytes);
    {
      std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(sizeof(SeccompCacheHeader) + 3);
      char c = 0x5a;
      f.write(&c, 1);
    }
    CHECK_FALSE(seccomp_cache_load(dir, key));
    CHECK_FALSE(fs::exists(file)); // corrupt file removed
    spec::Linux lnx;
    lnx.seccomp = sc;
    auto p = prepare_seccomp(&lnx, dir);
    REQUIRE(p);
    CHECK(same(p->bpf));
    CHECK(seccomp_cache_load(dir, key)); // rebuilt
  }
  SECTION("a foreign file under our name, truncation and bad magic are ignored") {
    auto other = allow_all();
    other.syscalls = {call({"mkdir"}, "SCMP_ACT_ERRNO")};
    const std::string okey = seccomp_cache_key(other);
    seccomp_cache_store(dir, okey, compile_seccomp(plan_seccomp(other)).bpf, kSeccompCacheMaxBytes);
    fs::rename(dir + "/" + okey + ".bpf", file); // valid file, wrong key inside
    CHECK_FALSE(seccomp_cache_load(dir, key));

    seccomp_cache_store(dir, key, fresh.bpf, kSeccompCacheMaxBytes);
    fs::resize_file(file, fs::file_size(file) - 8);
    CHECK_FALSE(seccomp_cache_load(dir, key));

    seccomp_cache_store(dir, key, fresh.bpf, kSeccompCacheMaxBytes);
    {
      std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
      f.write("NOTHULL!", 8);
    }
    CHECK_FALSE(seccomp_cache_load(dir, key));

    std::ofstream(file) << "garbage";
    CHECK_FALSE(seccomp_cache_load(dir, key));
  }
  SECTION("files anyone else could write are not trusted") {
    seccomp_cache_store(dir, key, fresh.bpf, kSeccompCacheMaxBytes);
    fs::permissions(file, fs::perms::others_write, fs::perm_options::add);
    CHECK_FALSE(seccomp_cache_load(dir, key));
    seccomp_cache_store(dir, key, fresh.bpf, kSeccompCacheMaxBytes);
    fs::permissions(dir, fs::perms::others_write, fs::perm_options::add);
    CHECK_FALSE(seccomp_cache_load(dir, key));
    CHECK_THROWS_AS(seccomp_cache_store(dir, key, fresh.bpf, kSeccompCacheMaxBytes), Error);
  }
  SECTION("total size stays bounded, oldest evicted first") {
    const size_t one = sizeof(SeccompCacheHeader) + fresh.bpf.size() * sizeof(sock_filter);
    std::vector<std::string> keys;
    for (int i = 0; i < 6; i++) {
      keys.push_back(hash_hex("key" + std::to_string(i)));
      seccomp_cache_store(dir, keys.back(), fresh.bpf, 3 * one);
      struct timespec ts[2] = {{1000 + i, 0}, {1000 + i, 0}};
      utimensat(AT_FDCWD, (dir + "/" + keys.back() + ".bpf").c_str(), ts, 0);
    }
    size_t total = 0, count = 0;
    for (auto &e : fs::directory_iterator(dir)) {
      total += fs::file_size(e.path());
      count++;
    }
    CHECK(total <= 3 * one);
    CHECK(count == 3);
    CHECK_FALSE(fs::exists(dir + "/" + keys[0] + ".bpf"));
    CHECK(fs::exists(dir + "/" + keys[5] + ".bpf"));
    CHECK(seccomp_cache_load(dir, keys[5]));
  }
}

TEST_CASE("seccomp state document and listener hand-over", "[seccomp][notify]") {
  spec::Seccomp sc = allow_all();
  sc.listenerMetadata = "MKDIR=1";
  spec::State st;
  st.id = "c1";
  st.status = "creating";
  st.pid = 4321;
  st.bundle = "/b";
  auto j = nlohmann::json::parse(seccomp_state_json(sc, st, 4321));
  CHECK(j["fds"] == nlohmann::json::array({"seccompFd"}));
  CHECK(j["pid"] == 4321);
  CHECK(j["metadata"] == "MKDIR=1");
  CHECK(j["state"]["id"] == "c1");
  CHECK(j["state"]["status"] == "creating");
  CHECK(j.contains("ociVersion"));

  TempDir td;
  sc.listenerPath = (td.path / "l.sock").string();
  int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, sc.listenerPath.c_str());
  REQUIRE(bind(srv, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
  REQUIRE(listen(srv, 1) == 0);
  std::string got;
  int got_fd = -1;
  std::thread th([&] {
    int c = accept(srv, nullptr, nullptr);
    char buf[4096];
    alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
    iovec iov{buf, sizeof buf};
    msghdr mh{};
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = ctl;
    mh.msg_controllen = sizeof ctl;
    ssize_t n = recvmsg(c, &mh, 0);
    if (n > 0) got.assign(buf, size_t(n));
    for (cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
      if (h->cmsg_type == SCM_RIGHTS) std::memcpy(&got_fd, CMSG_DATA(h), sizeof(int));
    close(c);
  });
  int pipefd[2];
  REQUIRE(pipe(pipefd) == 0);
  send_to_listener(sc, pipefd[1], st, 4321);
  th.join();
  close(srv);
  CHECK(nlohmann::json::parse(got)["metadata"] == "MKDIR=1");
  REQUIRE(got_fd >= 0);
  CHECK(write(got_fd, "x", 1) == 1); // the passed fd is the pipe's write end
  char c = 0;
  CHECK(read(pipefd[0], &c, 1) == 1);
  CHECK(c == 'x');
  close(got_fd);
  close(pipefd[0]);
  close(pipefd[1]);

  sc.listenerPath = (td.path / "missing.sock").string();
  CHECK(msg_of([&] { send_to_listener(sc, 0, st, 1); }).find("connect") != std::string::npos);
}

TEST_CASE("LSM requests: clear errors, mountLabel dropped without SELinux", "[lsm]") {
  spec::Config c;
  c.process = spec::Process{};
  c.linux_ = spec::Linux{};
  CHECK_FALSE(lsm_request_error(c, false, false));
  c.process->apparmorProfile = "x";
  CHECK(*lsm_request_error(c, false, true) ==
        "apparmor profile \"x\" requested but AppArmor is not enabled on this host");
  CHECK_FALSE(lsm_request_error(c, true, false));
  c.process->apparmorProfile.clear();
  c.process->selinuxLabel = "system_u:system_r:container_t:s0";
  CHECK(*lsm_request_error(c, true, false) ==
        "selinux label \"system_u:system_r:container_t:s0\" requested but SELinux is not "
        "enabled on this host");
  CHECK_FALSE(lsm_request_error(c, false, true));

  c.linux_->mountLabel = "system_u:object_r:container_file_t:s0";
  CHECK(mount_label(c, false).empty());
  CHECK(mount_label(c, true) == "system_u:object_r:container_file_t:s0");

  if (!selinux_enabled()) {
    CHECK_THROWS_WITH(check_lsm_requests(c),
                      "selinux label \"system_u:system_r:container_t:s0\" requested but SELinux "
                      "is not enabled on this host");
    CHECK(mount_label(c).empty());
  }
}

TEST_CASE("procfs opened for attr writes is a real procfs", "[lsm]") {
  unique_fd proc = open_real_procfs();
  REQUIRE(proc);
  unique_fd cur = open_in_procfs(proc.get(), "thread-self/attr/current", O_RDONLY);
  CHECK(cur);
  CHECK_THROWS_AS(open_in_procfs(proc.get(), "../etc/passwd", O_RDONLY), Error);
  CHECK_THROWS_AS(open_in_procfs(proc.get(), "self/cwd/etc/passwd", O_RDONLY), Error);
  spec::Process none;
  CHECK_NOTHROW(apply_exec_labels(none));
}

TEST_CASE("a filter past the kernel's 4096 instructions is refused before the init", "[seccomp]") {
  TempDir td;
  const std::string dir = (td.path / "seccomp-cache").string();
  spec::Linux lnx;
  lnx.seccomp = allow_all();
  for (uint64_t v = 0; v < 5000; ++v)
    lnx.seccomp->syscalls.push_back(
        call({"read"}, "SCMP_ACT_ERRNO", 1u, {arg(0, v, "SCMP_CMP_EQ")}));
  CHECK_THROWS_WITH(prepare_seccomp(&lnx, dir),
                    Catch::Contains("more than the kernel's limit of 4096"));
  CHECK_FALSE(seccomp_cache_load(dir, seccomp_cache_key(*lnx.seccomp))); // not cached
  // one already in the cache (a hull before this check stored it) is refused too
  auto prog = compile_seccomp(plan_seccomp(*lnx.seccomp));
  REQUIRE(prog.bpf.size() > 4096);
  seccomp_cache_store(dir, seccomp_cache_key(*lnx.seccomp), prog.bpf, kSeccompCacheMaxBytes);
  CHECK_THROWS_WITH(prepare_seccomp(&lnx, dir),
                    Catch::Contains("more than the kernel's limit of 4096"));
}
