#include <catch2/catch.hpp>

#include <csignal>

#include "container/hooks.hpp"

using namespace hull::container;

TEST_CASE("hook environment: its own env, else where it runs decides") {
  hull::spec::Hook h;
  h.path = "/bin/x";
  char a[] = "RUNTIME=1", b[] = "PATH=/bin";
  char *envp[] = {a, b, nullptr};
  HookWhere outside;
  CHECK(hook_environment(h, outside, envp) == std::vector<std::string>{"RUNTIME=1", "PATH=/bin"});
  HookWhere inside{std::vector<std::string>{"PROC=1"}, false};
  CHECK(hook_environment(h, inside, envp) == std::vector<std::string>{"PROC=1"});
  h.env = {"ONLY=1"};
  CHECK(hook_environment(h, outside, envp) == std::vector<std::string>{"ONLY=1"});
  CHECK(hook_environment(h, inside, envp) == std::vector<std::string>{"ONLY=1"});
}

TEST_CASE("hook failure text: list, index, path, then runc's wording") {
  HookOutcome o;
  o.code = 3;
  o.out = "partial\n";
  o.err = "boom\n";
  CHECK(hook_failure_text("createRuntime", 1, "/bin/x", o) ==
        "error running createRuntime hook #1 (/bin/x): error running hook: exit status 3, "
        "stdout: partial, stderr: boom");
  HookOutcome s;
  s.exited = false;
  s.code = 9;
  CHECK(hook_failure_text("prestart", 0, "/h", s) ==
        "error running prestart hook #0 (/h): error running hook: signal: killed, stdout: , "
        "stderr: ");
  // Go's names for every signal (runc's seccomp.bats greps "bad system call")
  for (auto [sig, name] :
       std::initializer_list<std::pair<int, const char *>>{{SIGSYS, "bad system call"},
                                                           {SIGSEGV, "segmentation fault"},
                                                           {SIGTERM, "terminated"},
                                                           {SIGABRT, "aborted"},
                                                           {SIGUSR1, "user defined signal 1"},
                                                           {SIGRTMIN + 2, nullptr}}) {
    s.code = sig;
    const std::string want = name ? name : "signal " + std::to_string(sig);
    CHECK(hook_failure_text("prestart", 0, "/h", s) ==
          "error running prestart hook #0 (/h): error running hook: signal: " + want +
              ", stdout: , stderr: ");
  }
  HookOutcome t;
  t.timed_out = true;
  t.timeout = 2;
  CHECK(hook_failure_text("poststart", 0, "/h", t) ==
        "error running poststart hook #0 (/h): hook ran past specified timeout of 2.0s");
  HookOutcome e;
  e.exec_failed = true;
  e.exec_errno = ENOENT;
  CHECK(hook_failure_text("createContainer", 2, "/no", e) ==
        "error running createContainer hook #2 (/no): fork/exec /no: no such file or directory");
}
