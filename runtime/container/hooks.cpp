#include "container/hooks.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace hull::container {
namespace {

std::vector<char *> cstrings(const std::vector<std::string> &v) {
  std::vector<char *> out;
  for (auto &s : v)
    out.push_back(const_cast<char *>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

void run_one(const spec::Hook &h, const std::string &state_json, const char *phase) {
  std::string what = std::string(phase) + " hook " + h.path;
  int in[2], err[2];
  if (::pipe2(in, O_CLOEXEC) < 0 || ::pipe2(err, O_CLOEXEC) < 0) throw_errno(what + ": pipe");
  unique_fd in_r(in[0]), in_w(in[1]), err_r(err[0]), err_w(err[1]);
  std::vector<std::string> args = h.args.empty() ? std::vector<std::string>{h.path} : h.args;
  auto argv = cstrings(args);
  auto envp = cstrings(h.env);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno(what + ": fork");
  if (pid == 0) {
    ::dup2(in_r.get(), 0);
    ::dup2(err_w.get(), 2);
    ::execve(h.path.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  in_r.reset();
  err_w.reset();
  ::signal(SIGPIPE, SIG_IGN);
  if (::write(in_w.get(), state_json.data(), state_json.size()) < 0) {
  }
  in_w.reset();

  std::string errtext;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(h.timeout.value_or(0));
  int status = 0;
  for (;;) {
    int timeout_ms = -1;
    if (h.timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        throw Error(what + ": timed out after " + std::to_string(*h.timeout) + "s");
      }
      timeout_ms = int(left.count());
    }
    if (err_r) {
      pollfd p{err_r.get(), POLLIN, 0};
      int n = ::poll(&p, 1, timeout_ms);
      if (n > 0) {
        char buf[4096];
        ssize_t r = ::read(err_r.get(), buf, sizeof buf);
        if (r <= 0)
          err_r.reset();
        else if (errtext.size() < 4096)
          errtext.append(buf, size_t(r));
        continue;
      }
      if (n < 0 && errno != EINTR) err_r.reset();
      continue;
    }
    pid_t w = ::waitpid(pid, &status, h.timeout ? WNOHANG : 0);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) throw_errno(what + ": waitpid");
    if (h.timeout) ::usleep(5000);
  }
  while (!errtext.empty() && (errtext.back() == '\n'))
    errtext.pop_back();
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  std::string how = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                      : "killed by signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && ::access(h.path.c_str(), X_OK) != 0)
    how = "cannot execute: " + std::string(std::strerror(ENOENT));
  throw Error(what + ": " + how + (errtext.empty() ? "" : ", stderr: " + errtext));
}

} // namespace

void run_hooks(const std::vector<spec::Hook> &hooks, const spec::State &state, const char *phase) {
  if (hooks.empty()) return;
  std::string js = spec::state_to_json(state).dump();
  for (const auto &h : hooks)
    run_one(h, js, phase);
}

void run_hooks_warn(const std::vector<spec::Hook> &hooks, const spec::State &state,
                    const char *phase) {
  if (hooks.empty()) return;
  std::string js = spec::state_to_json(state).dump();
  for (const auto &h : hooks) {
    try {
      run_one(h, js, phase);
    } catch (const Error &e) {
      log::warn(e.what());
    }
  }
}

} // namespace hull::container
