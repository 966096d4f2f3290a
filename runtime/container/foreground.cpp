#include "container/foreground.hpp"

#include <csignal>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "linux/terminal.hpp"
#include "util/error.hpp"

namespace hull::container {

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

int wait_foreground(pid_t pid, unique_fd master) {
  sigset_t all;
  sigfillset(&all);
  int stop[2] = {-1, -1};
  std::thread proxy;
  if (master) {
    if (::pipe2(stop, O_CLOEXEC) < 0) throw_errno("pipe");
    proxy = std::thread([m = master.get(), s = stop[0]] { sys::proxy_terminal(m, s); });
  }
  int status = 0;
  for (;;) {
    siginfo_t si;
    timespec ts{0, 200 * 1000 * 1000};
    int sig = ::sigtimedwait(&all, &si, &ts);
    if (sig == SIGCHLD || sig < 0) {
      pid_t w;
      bool done = false;
      while ((w = ::waitpid(-1, &status, WNOHANG)) > 0)
        if (w == pid) done = true;
      if (done) break;
      continue;
    }
    if (sig == SIGWINCH && master) {
      winsize ws{};
      if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master.get(), TIOCSWINSZ, &ws);
      continue;
    }
    ::kill(pid, sig);
  }
  if (proxy.joinable()) {
    if (::write(stop[1], "x", 1) < 0) {
    }
    proxy.join();
    ::close(stop[0]);
    ::close(stop[1]);
  }
  return exit_code(status);
}

} // namespace hull::container
