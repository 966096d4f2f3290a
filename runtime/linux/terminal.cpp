#include "linux/terminal.hpp"

#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/unix_socket.hpp"

namespace hull::sys {

unique_fd setup_console(const std::optional<spec::ConsoleSize> &size, bool bind_console) {
  unique_fd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) throw_errno("open /dev/ptmx");
  if (::unlockpt(master.get()) < 0) throw_errno("unlockpt");
  char name[128];
  if (::ptsname_r(master.get(), name, sizeof name) != 0) throw_errno("ptsname");
  unique_fd slave(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!slave) throw_errno(std::string("open ") + name);
  if (bind_console && ::access("/dev/console", F_OK) == 0) {
    if (::mount(name, "/dev/console", nullptr, MS_BIND, nullptr) < 0)
      throw_errno(std::string("mount ") + name + " to /dev/console");
  }
  if (size && size->height && size->width) {
    winsize ws{};
    ws.ws_row = (unsigned short)size->height;
    ws.ws_col = (unsigned short)size->width;
    ::ioctl(master.get(), TIOCSWINSZ, &ws);
  }
  if (::setsid() < 0) throw_errno("setsid");
  if (::ioctl(slave.get(), TIOCSCTTY, 0) < 0) throw_errno("ioctl TIOCSCTTY");
  for (int i = 0; i < 3; i++)
    if (::dup3(slave.get(), i, 0) < 0) throw_errno("dup3 console to stdio");
  return master;
}

void send_to_console_socket(const std::string &path, int master) {
  unique_fd s = connect_unix(path, "console socket");
  // runc sends the pty's name as the payload
  send_with_fd(s.get(), "/dev/ptmx", master, "send pty master to console socket " + path);
}

namespace {

struct RawMode {
  termios saved{};
  bool active = false;
  RawMode() {
    if (::isatty(0) && ::tcgetattr(0, &saved) == 0) {
      termios raw = saved;
      ::cfmakeraw(&raw);
      raw.c_oflag |= OPOST; // keep output processing so \n renders as expected
      active = ::tcsetattr(0, TCSANOW, &raw) == 0;
    }
  }
  ~RawMode() {
    if (active) ::tcsetattr(0, TCSANOW, &saved);
  }
};

bool pump(int from, int to) {
  char buf[8192];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n <= 0) return false;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = ::write(to, buf + off, size_t(n - off));
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += w;
  }
  return true;
}

} // namespace

void proxy_terminal(int master, int stop_fd) {
  RawMode raw;
  if (::isatty(0)) {
    winsize ws{};
    if (::ioctl(0, TIOCGWINSZ, &ws) == 0) ::ioctl(master, TIOCSWINSZ, &ws);
  }
  bool in_open = true;
  for (;;) {
    pollfd p[3] = {{master, POLLIN, 0}, {stop_fd, POLLIN, 0}, {0, short(in_open ? POLLIN : 0), 0}};
    int n = ::poll(p, in_open ? 3 : 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[0].revents & POLLIN) {
      if (!pump(master, 1)) return;
    } else if (p[0].revents & (POLLHUP | POLLERR)) {
      return;
    }
    if (p[1].revents) {
      // drain what is left, then stop
      int fl = ::fcntl(master, F_GETFL);
      ::fcntl(master, F_SETFL, fl | O_NONBLOCK);
      while (pump(master, 1)) {
      }
      return;
    }
    if (in_open && (p[2].revents & (POLLIN | POLLHUP))) {
      if (!pump(0, master)) in_open = false;
    }
  }
}

} // namespace hull::sys
