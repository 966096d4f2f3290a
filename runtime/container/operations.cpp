// start, kill, delete: small operations on an existing container.
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/hooks.hpp"
#include "container/lifecycle.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"
#include "util/fault.hpp"
#include "util/log.hpp"

namespace hull::container {
namespace {

const std::pair<const char *, int> kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

} // namespace

int parse_signal(const std::string &s) {
  if (s.empty()) throw Error("invalid signal \"\"");
  if (std::isdigit((unsigned char)s[0])) {
    // all digits: "1.5" or "9x" is no signal (atoi read them as 1 and 9)
    if (s.size() > 3 || s.find_first_not_of("0123456789") != std::string::npos)
      throw Error("unknown signal \"" + s + "\"");
    int n = std::atoi(s.c_str());
    // 0 checks that the container is alive, as with runc
    if (n < 0 || n > SIGRTMAX) throw Error("invalid signal \"" + s + "\"");
    return n;
  }
  std::string n = s;
  for (auto &ch : n)
    ch = char(std::toupper((unsigned char)ch));
  if (n.rfind("SIG", 0) == 0) n = n.substr(3);
  for (auto &[name, num] : kSignals)
    if (n == name) return num;
  if (n.rfind("RTMIN", 0) == 0 || n.rfind("RTMAX", 0) == 0) {
    // RTMIN, RTMIN+N, RTMAX, RTMAX-N and nothing else ("RTMINx" is no signal)
    const std::string rest = n.substr(5);
    const bool min = n[3] == 'I';
    if (!rest.empty() && (rest.size() < 2 || rest.size() > 3 || rest[0] != (min ? '+' : '-') ||
                          rest.find_first_not_of("0123456789", 1) != std::string::npos))
      throw Error("unknown signal \"" + s + "\"");
    int off = rest.empty() ? 0 : std::atoi(rest.c_str());
    int v = min ? SIGRTMIN + off : SIGRTMAX + off;
    if (v >= SIGRTMIN && v <= SIGRTMAX) return v;
  }
  throw Error("unknown signal \"" + s + "\"");
}

namespace {
void remove_quietly(const GlobalOptions &g, const std::string &id) {
  try {
    remove(g, id, true);
  } catch (const std::exception &e) {
    log::warn(std::string("delete after failed start: ") + e.what());
  }
}
} // namespace

void start(const GlobalOptions &g, const std::string &id) {
  Container c = Container::load(g, id);
  unique_fd lk = c.lock();
  fault::point("start.locked");
  if (!c.damaged().empty()) throw Error("container " + id + ": " + c.damaged());
  std::string st = c.status();
  if (st == "stopped") throw Error("cannot start a container that has stopped");
  if (st != "created") throw Error("cannot start an already " + st + " container");
  spec::Config cfg = c.config();
  std::string fifo = c.dir() + "/exec.fifo";
  unique_fd fd(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) throw_errno("open " + fifo);
  fault::point("start.claimed");
  // The init blocks opening the fifo for writing; now it can, and writes one byte.
  // Then it keeps the fifo open until execve closes it: EOF = the process runs.
  // Anything after the first byte is the error that stopped the init.
  bool got = false;
  std::string failure;
  for (;;) {
    pollfd p{fd.get(), POLLIN, 0};
    int n = ::poll(&p, 1, 50);
    if (n > 0 && (p.revents & (POLLIN | POLLHUP))) {
      char buf[4096];
      ssize_t r = ::read(fd.get(), buf, sizeof buf);
      if (r > 0) {
        size_t skip = got ? 0 : 1;
        // The init opens the fifo by name (no /proc needed): unlink it only
        // once the init has it open, or a slow init finds no fifo at all.
        if (!got) ::unlink(fifo.c_str());
        got = true;
        failure.append(buf + skip, size_t(r) - skip);
        continue;
      }
      if (r == 0 && got) break;
    }
    if (!c.init_alive()) {
      if (!got) throw Error("container process is already dead");
      char buf[4096]; // drain what it wrote before exiting
      ssize_t r;
      while ((r = ::read(fd.get(), buf, sizeof buf)) > 0)
        failure.append(buf, size_t(r));
      break;
    }
  }
  fault::point("start.released");
  if (!cfg.process) {
    // What the runtime-tools suite expects (start #7): start releases the
    // init, which has nothing to run and exits; the container is stopped.
    c.record().status = "stopped";
    c.save();
    log::warn("container " + id + " has no process in config.json: it stopped");
    return;
  }
  if (!failure.empty()) {
    c.record().status = "stopped";
    c.save();
    if (failure.rfind("error running startContainer hook", 0) == 0) {
      // before the process ran: tear it all down, poststop hooks included
      lk.reset();
      remove_quietly(g, id);
    }
    throw Error(failure);
  }
  c.record().status = "running";
  c.save();
  fault::point("start.saved");
  if (cfg.hooks) {
    spec::State s = c.oci_state(); // the process may already be gone: say what start did
    s.status = "running";
    s.pid = c.record().pid;
    try {
      run_hooks(cfg.hooks->poststart, s, "poststart");
    } catch (const Error &) {
      // as runc and crun: a failed poststart hook fails start; the
      // container is killed and deleted (poststop hooks run)
      lk.reset();
      remove_quietly(g, id);
      throw;
    }
  }
}

void kill(const GlobalOptions &g, const std::string &id, int sig, bool all) {
  Container c = Container::load(g, id);
  fault::point("kill.loaded");
  std::string st = c.status();
  if (st == "stopped" && !all) throw Error("container not running");
  if (all) {
    auto m = c.cgroup();
    if (m) {
      for (pid_t p : m->pids())
        ::kill(p, sig);
      return;
    }
  }
  if (!c.init_alive()) throw Error("container not running");
  if (::kill(c.record().pid, sig) < 0)
    throw_errno("kill container init " + std::to_string(c.record().pid));
}

void remove(const GlobalOptions &g, const std::string &id, bool force) {
  Container c = Container::load(g, id);
  unique_fd lk = c.lock();
  fault::point("delete.locked");
  if (!c.damaged().empty() && !force)
    throw Error("container " + id + ": " + c.damaged() + " (delete -f removes it)");
  std::string st = c.status();
  if (st != "stopped" && st != "created" && !force)
    throw Error("cannot delete container " + id + " that is not stopped: " + st);
  c.teardown();
}

} // namespace hull::container
