// The doing half of the hook runner: fork, exec, feed stdin, collect output,
// enforce the timeout on the hook's whole process group.
#include "container/hooks.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

extern char **environ;

namespace hull::container {
namespace {

constexpr size_t kKeep = 64 * 1024; // captured bytes kept per stream

std::vector<char *> cstrings(const std::vector<std::string> &v) {
  std::vector<char *> out;
  for (auto &s : v)
    out.push_back(const_cast<char *>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

struct Pipe {
  unique_fd r, w;
  Pipe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) < 0) throw_errno("hook: pipe");
    r.reset(p[0]);
    w.reset(p[1]);
  }
};

// Child side: never returns.
[[noreturn]] void exec_hook(const spec::Hook &h, Pipe &in, Pipe &out, Pipe &err, Pipe &status,
                            char *const *argv, char *const *envp, pid_t parent) {
  // A hook dies with the command that runs it, so a killed create cannot
  // leave one running past the delete -f whose poststop undoes it.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);
  ::setpgid(0, 0);
  sigset_t all;
  sigemptyset(&all);
  ::sigprocmask(SIG_SETMASK, &all, nullptr);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD})
    ::signal(s, SIG_DFL);
  ::dup2(in.r.get(), 0);
  ::dup2(out.w.get(), 1);
  ::dup2(err.w.get(), 2);
  ::execve(h.path.c_str(), argv, envp);
  int e = errno;
  (void)!::write(status.w.get(), &e, sizeof e);
  ::_exit(127);
}

// Writes all of data to fd without dying of SIGPIPE if the hook never reads
// (the disposition is restored: inside the init it would reach the process).
void feed(int fd, const std::string &data) {
  struct sigaction ign {
  }, old{};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = ::write(fd, data.data() + off, data.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) break;
    off += size_t(w);
  }
  ::sigaction(SIGPIPE, &old, nullptr);
}

void drain(unique_fd &fd, std::string &into) {
  char buf[4096];
  for (;;) {
    ssize_t r = ::read(fd.get(), buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r == 0 || errno != EAGAIN) fd.reset();
      return;
    }
    if (into.size() < kKeep) into.append(buf, std::min(size_t(r), kKeep - into.size()));
  }
}

HookOutcome run_one(const spec::Hook &h, const std::string &state_json, const HookWhere &where) {
  Pipe in, out, err, status;
  std::vector<std::string> args = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
  std::vector<std::string> env = hook_environment(h, where, environ);
  auto argv = cstrings(args);
  auto envp = cstrings(env);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("hook " + h.path + ": fork");
  if (pid == 0) exec_hook(h, in, out, err, status, argv.data(), envp.data(), parent);
  ::setpgid(pid, pid); // also here: no race with the kill below
  in.r.reset();
  out.w.reset();
  err.w.reset();
  status.w.reset();
  HookOutcome o;
  int e = 0;
  if (::read(status.r.get(), &e, sizeof e) == sizeof e) {
    ::waitpid(pid, nullptr, 0);
    o.exec_failed = true;
    o.exec_errno = e;
    return o;
  }
  feed(in.w.get(), state_json);
  in.w.reset();
  for (auto *fd : {&out.r, &err.r})
    ::fcntl(fd->get(), F_SETFL, O_NONBLOCK);
  unique_fd pidfd(int(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) throw_errno("hook " + h.path + ": pidfd_open");

  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::seconds(h.timeout.value_or(0));
  int wstatus = 0;
  for (;;) {
    int ms = -1;
    if (h.timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
      ms = int(std::max<long>(0, left.count()));
    }
    pollfd p[3] = {{pidfd.get(), POLLIN, 0}, {out.r.get(), POLLIN, 0}, {err.r.get(), POLLIN, 0}};
    int n = ::poll(p, 3, ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("hook " + h.path + ": poll");
    if (n == 0) { // timed out: the hook and everything it started
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      o.timed_out = true;
      o.timeout = *h.timeout;
      return o;
    }
    if (p[1].revents) drain(out.r, o.out);
    if (p[2].revents) drain(err.r, o.err);
    if (p[0].revents) {
      while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
      }
      // what is already written; children that keep the pipes open are not waited for
      if (out.r) drain(out.r, o.out);
      if (err.r) drain(err.r, o.err);
      break;
    }
  }
  o.exited = WIFEXITED(wstatus);
  o.code = o.exited ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus);
  return o;
}

bool succeeded(const HookOutcome &o) {
  return !o.timed_out && !o.exec_failed && o.exited && o.code == 0;
}

void log_output(const char *phase, size_t i, const spec::Hook &h, const HookOutcome &o) {
  if (!log::debug_enabled()) return;
  std::string head = std::string(phase) + " hook #" + std::to_string(i) + " (" + h.path + ")";
  if (!o.out.empty()) log::debug(head + " stdout: " + o.out);
  if (!o.err.empty()) log::debug(head + " stderr: " + o.err);
}

} // namespace

void run_hooks(const std::vector<spec::Hook> &hooks, const spec::State &state, const char *phase,
               const HookWhere &where) {
  if (hooks.empty()) return;
  std::string js = spec::state_to_json(state).dump();
  for (size_t i = 0; i < hooks.size(); ++i) {
    HookOutcome o = run_one(hooks[i], js, where);
    if (!succeeded(o)) throw Error(hook_failure_text(phase, i, hooks[i].path, o));
    if (where.log_output) log_output(phase, i, hooks[i], o);
  }
}

void run_hooks_warn(const std::vector<spec::Hook> &hooks, const spec::State &state,
                    const char *phase, const HookWhere &where) {
  if (hooks.empty()) return;
  std::string js = spec::state_to_json(state).dump();
  for (size_t i = 0; i < hooks.size(); ++i) {
    try {
      HookOutcome o = run_one(hooks[i], js, where);
      if (!succeeded(o))
        log::warn(hook_failure_text(phase, i, hooks[i].path, o));
      else if (where.log_output)
        log_output(phase, i, hooks[i], o);
    } catch (const Error &e) {
      log::warn(e.what());
    }
  }
}

} // namespace hull::container
