// exec: join the init's namespaces and cgroup, set the process up like the
// init does after start, execve. Errors come back over a sync channel; its
// close-on-exec end closing means the process runs.
#include "container/exec.hpp"

#include <fcntl.h>
#include <fstream>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/foreground.hpp"
#include "container/lifecycle.hpp"
#include "linux/init.hpp"
#include "linux/lsm.hpp"
#include "linux/namespaces.hpp"
#include "linux/placement.hpp"
#include "linux/process.hpp"
#include "linux/seccomp.hpp"
#include "linux/sync.hpp"
#include "linux/terminal.hpp"
#include "spec/capabilities.hpp"
#include "spec/spec.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"
#include "util/fault.hpp"
#include "util/inherited_fds.hpp"

namespace hull::container {
namespace {

const char *proc_ns_name(const std::string &type) {
  if (type == "network") return "net";
  if (type == "mount") return "mnt";
  return type.c_str();
}

struct NsFd {
  int flag;
  unique_fd fd;
};

// The init's namespaces that differ from ours, user first, pid excluded
// (joined by the parent for its child).
std::vector<NsFd> open_namespaces(const spec::Config &cfg, pid_t init, unique_fd &pid_ns) {
  std::vector<NsFd> out;
  if (!cfg.linux_) return out;
  for (const char *t : {"user", "ipc", "uts", "network", "pid", "cgroup", "time", "mount"}) {
    bool used = false;
    for (auto &n : cfg.linux_->namespaces)
      used |= n.type == t;
    if (!used) continue;
    std::string name = proc_ns_name(t);
    std::string theirs = "/proc/" + std::to_string(init) + "/ns/" + name;
    char a[64] = {}, b[64] = {};
    if (::readlink(theirs.c_str(), a, sizeof a - 1) < 0) throw_errno("open " + theirs);
    if (::readlink(("/proc/self/ns/" + name).c_str(), b, sizeof b - 1) >= 0 && std::string(a) == b)
      continue;
    unique_fd fd(::open(theirs.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + theirs);
    if (std::string(t) == "pid")
      pid_ns = std::move(fd);
    else
      out.push_back({sys::namespace_flag(t), std::move(fd)});
  }
  return out;
}

spec::Process build_process(const Container &c, const spec::Config &cfg, const ExecOptions &o) {
  spec::Process p;
  if (!o.process_file.empty()) {
    // (runc's words: "read X: is a directory"; never a C++ stream's text)
    const std::string text = spec::read_text_file(o.process_file);
    nlohmann::json doc;
    try {
      doc = nlohmann::json::parse(spec::read_text_file(c.dir() + "/config.json"));
    } catch (const nlohmann::json::exception &e) {
      throw Error("state " + c.dir() + "/config.json: " + spec::json_error_text(e));
    }
    try {
      doc["process"] = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception &e) {
      throw Error("--process " + o.process_file + ": invalid JSON: " + spec::json_error_text(e));
    }
    try {
      p = *spec::config_from_json(doc).process;
    } catch (const spec::ConfigError &e) { // its field, not config.json's
      throw Error("--process " + o.process_file + ": " + e.path() + ": " + e.problem());
    }
  } else {
    if (cfg.process) p = *cfg.process;
    p.terminal = false;
    p.consoleSize.reset();
    if (o.args.empty()) throw Error("exec: no command given (args or --process)");
    p.args = o.args;
  }
  apply_exec_flags(p, o);
  sys::warn_ignored_capabilities(p);
  return p;
}

[[noreturn]] void exec_child(sys::SyncChannel &chan, std::vector<NsFd> &nss,
                             const spec::Config &cfg, const spec::Process &proc,
                             const sys::SeccompProgram *sc, int preserve) {
  try {
    chan.expect(sys::Msg::go);
    for (auto &n : nss)
      if (::setns(n.fd.get(), n.flag) < 0) throw_errno("setns into the container");
    nss.clear();
    spec::Process p = proc;
    sys::prepare_env(p); // in the container's mount namespace: its /etc/passwd
    const spec::Linux *lnx = cfg.linux_ ? &*cfg.linux_ : nullptr;
    sys::apply_initial_affinity(&p);
    if (p.terminal) {
      unique_fd master = sys::setup_console(p.consoleSize, false);
      chan.send(sys::Msg::pty, "", master.get());
      chan.expect(sys::Msg::ack);
    }
    sys::apply_process_attrs(p, lnx);
    sys::apply_memory_policy(lnx);
    ::close_range(unsigned(3 + preserve), ~0U, CLOSE_RANGE_CLOEXEC);
    auto enter_cwd = [&p] {
      if (::chdir(p.cwd.c_str()) < 0) return false;
      char buf[4096];
      if (!::getcwd(buf, sizeof buf) || buf[0] != '/')
        throw Error("current working directory is outside of the container root");
      return true;
    };
    bool in_cwd = enter_cwd(); // as root first, like the init
    // A notify listener goes to the parent, which hands it to the agent (we
    // are in the container's mount namespace: its socket path is the
    // host's). No reply is awaited: the fd in flight keeps the filter's
    // listener alive, and the profile may notify recvmsg.
    auto load_filter = [&] {
      int notify = sys::load_seccomp(*sc);
      if (notify >= 0) {
        chan.send(sys::Msg::seccomp_fd, "", notify);
        ::close(notify);
      }
    };
    if (sc && sys::seccomp_load_early(p)) load_filter();
    sys::drop_bounding_set(p);
    sys::set_user(p);
    sys::apply_capabilities(p);
    sys::apply_exec_labels(p);
    sys::apply_no_new_privs(p);
    if (!in_cwd && !enter_cwd()) throw_errno("chdir to cwd (\"" + p.cwd + "\")");
    std::string exe = sys::find_executable(p);
    if (sc && !sys::seccomp_load_early(p)) load_filter();
    sys::exec_process(p, exe);
  } catch (const std::exception &e) {
    try {
      chan.send(sys::Msg::error, e.what());
    } catch (...) {
    }
  }
  ::_exit(127);
}

} // namespace

int exec(const GlobalOptions &g, const ExecOptions &o) {
  ::prctl(PR_SET_DUMPABLE, 0); // never expose the runtime binary (CVE-2019-5736)
  check_preserve_fds(o.preserve_fds);
  Container c = Container::load(g, o.id);
  fault::point("exec.loaded");
  std::string st = c.status();
  // runc has no state.json yet while it creates: "does not exist" there too.
  if (st == "creating") throw Error("container does not exist (it is still being created)");
  if (st == "stopped") throw Error("cannot exec in a stopped container");
  if (st == "paused" && !o.ignore_paused)
    throw Error("cannot exec in a paused container (use --ignore-paused to override)");
  spec::Config cfg = c.config();
  spec::Process p = build_process(c, cfg, o);
  if (p.terminal && o.console_socket.empty() && o.detach)
    throw Error("cannot allocate tty if hull will detach without setting console socket");
  if (!p.terminal && !o.console_socket.empty())
    throw Error("--console-socket: cannot use console socket without a terminal (-t)");
  const spec::Linux *lnx = cfg.linux_ ? &*cfg.linux_ : nullptr;
  auto seccomp = sys::prepare_seccomp(lnx, g.root + "/seccomp-cache");
  unique_fd pid_ns;
  std::vector<NsFd> nss = open_namespaces(cfg, c.record().pid, pid_ns);
  auto cg = c.cgroup();
  auto sub_cgroups = parse_exec_cgroups(o.cgroups);
  if (!sub_cgroups.empty() && !cg) throw Error("--cgroup: the container has no cgroup");

  sigset_t all, old;
  sigfillset(&all);
  if (!o.detach) ::sigprocmask(SIG_BLOCK, &all, &old);
  sys::SyncChannel parent_end, child_end;
  sys::SyncChannel::pair(parent_end, child_end);
  unique_fd saved_pid_ns;
  if (pid_ns) {
    saved_pid_ns.reset(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
    if (::setns(pid_ns.get(), CLONE_NEWPID) < 0)
      throw_errno("setns into the container's pid namespace");
  }
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (!o.detach) {
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
    }
    parent_end.close();
    exec_child(child_end, nss, cfg, p, seccomp ? &*seccomp : nullptr, o.preserve_fds);
  }
  if (saved_pid_ns) ::setns(saved_pid_ns.get(), CLONE_NEWPID);
  child_end.close();
  nss.clear();
  try {
    fault::point("exec.forked");
    if (cg && sub_cgroups.empty()) cg->add_pid(pid);
    if (cg && !sub_cgroups.empty()) cg->add_pid_sub(pid, sub_cgroups);
    fault::point("exec.placed");
    parent_end.send(sys::Msg::go);
    unique_fd master;
    for (;;) {
      sys::Message m;
      if (!parent_end.recv(m)) break; // channel closed by execve: it runs
      if (m.type == sys::Msg::error) throw Error(m.text);
      if (m.type == sys::Msg::seccomp_fd && m.fd) {
        // As runc: the process's pid on top, the container's state (running,
        // the init's pid) inside.
        spec::State state = c.oci_state();
        state.status = "running";
        sys::send_to_listener(*lnx->seccomp, m.fd.get(), state, pid);
        continue;
      }
      if (m.type == sys::Msg::pty) {
        if (!o.console_socket.empty())
          sys::send_to_console_socket(o.console_socket, m.fd.get());
        else
          master = std::move(m.fd);
        parent_end.send(sys::Msg::ack);
      }
    }
    if (!o.pid_file.empty()) {
      // As runc: a pid file that cannot be written ends the process, exit 255.
      try {
        write_file_atomic(o.pid_file, std::to_string(pid), 0644);
      } catch (Error &e) {
        throw e.context("pid file");
      }
    }
    fault::point("exec.running");
    if (o.detach) return 0;
    return wait_foreground(pid, std::move(master));
  } catch (...) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    throw;
  }
}

} // namespace hull::container
