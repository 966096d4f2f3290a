#include "linux/init.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

#include "linux/exe_guard.hpp"
#include "linux/placement.hpp"
#include "linux/process.hpp"
#include "linux/rootfs_plan.hpp"
#include "linux/terminal.hpp"
#include "util/error.hpp"
#include "util/unix_socket.hpp"

namespace hull::sys {
namespace {

// Closes every fd >= first except the ones in keep (CVE-2024-21626: no host
// fd may survive into the container, before chdir or exec).
void close_fds_from(int first, std::initializer_list<int> keep) {
  DIR *d = ::opendir("/proc/self/fd");
  if (!d) {
    ::close_range(unsigned(first), ~0U, CLOSE_RANGE_CLOEXEC);
    return;
  }
  std::vector<int> fds;
  int dfd = ::dirfd(d);
  while (dirent *e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    int fd = std::atoi(e->d_name);
    if (fd >= first && fd != dfd) fds.push_back(fd);
  }
  ::closedir(d);
  for (int fd : fds) {
    bool kept = false;
    for (int k : keep)
      kept |= (k == fd);
    if (!kept) ::close(fd);
  }
}

void set_hostnames(const spec::Config &c, const NsPlan &ns) {
  if (!c.hostname.empty()) {
    if (!ns.has("uts")) throw Error("unable to set hostname without a private UTS namespace");
    if (::sethostname(c.hostname.data(), c.hostname.size()) < 0)
      throw_errno("sethostname " + c.hostname);
  }
  if (!c.domainname.empty()) {
    if (!ns.has("uts")) throw Error("unable to set domainname without a private UTS namespace");
    if (::setdomainname(c.domainname.data(), c.domainname.size()) < 0)
      throw_errno("setdomainname " + c.domainname);
  }
}

// Root of the user namespace when 0 is mapped; otherwise we keep the full
// capabilities the namespace gave us and process.user decides after start.
void become_root_in_userns() {
  if (::setresgid(0, 0, 0) < 0 && errno != EINVAL) throw_errno("setresgid 0 in the user namespace");
  if (::setresuid(0, 0, 0) < 0 && errno != EINVAL) throw_errno("setresuid 0 in the user namespace");
}

// (Re-)arms SIGKILL on the death of `create`, then checks it did not die
// before that took effect: its end of the channel is closed then.
void die_with_parent(const SyncChannel &chan) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  pollfd p{chan.fd(), 0, 0};
  if (::poll(&p, 1, 0) == 1 && (p.revents & POLLHUP)) ::_exit(1);
}

void enter_namespaces(InitArgs &a) {
  const NsPlan &ns = a.ns;
  join_namespaces(ns.joins, /*users=*/true);
  if (ns.new_user || ns.join_user) {
    become_root_in_userns();
    die_with_parent(*a.chan); // a credential change cleared PR_SET_PDEATHSIG
  }
  if (ns.unshare_flags && ::unshare(ns.unshare_flags) < 0) throw_errno("unshare namespaces");
  if (ns.new_time && a.config->linux_) write_time_offsets(a.config->linux_->timeOffsets);
  join_namespaces(ns.joins, /*users=*/false);
  if (ns.new_net) loopback_up();
}

// After chdir: the cwd must be inside the container's root (CVE-2024-21626).
void check_cwd_inside() {
  char buf[4096];
  if (!::getcwd(buf, sizeof buf)) throw_errno("getcwd");
  if (buf[0] != '/') throw Error("current working directory is outside of the container root");
}

// Blocks until `start` opens the fifo. Returns the write end, which stays
// open (close-on-exec) so `start` sees EOF once execve succeeded, or reads
// the error that stopped us.
// Opened relative to the state dir's fd: works without /proc in the container.
int wait_for_start(int state_dir_fd) {
  int fd = ::openat(state_dir_fd, "exec.fifo", O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("open exec fifo");
  if (::write(fd, "0", 1) != 1) throw_errno("write exec fifo");
  ::close(state_dir_fd);
  return fd;
}

struct Runtime {
  int fifo_w = -1;    // after start: where errors go
  unique_fd listener; // connected to linux.seccomp.listenerPath
  int host_pid = 0;
};
Runtime g_rt;

void load_filter(InitArgs &a) {
  int notify = load_seccomp(*a.seccomp);
  if (notify >= 0) {
    spec::State st = a.state;
    st.status = "created";
    st.pid = g_rt.host_pid;
    const spec::Seccomp &sc = *a.config->linux_->seccomp;
    send_with_fd(g_rt.listener.get(), seccomp_state_json(sc, st, g_rt.host_pid), notify,
                 "send seccomp fd to listener " + sc.listenerPath);
    ::close(notify);
    g_rt.listener.reset();
  }
}

// Before `create` returns: namespaces, rootfs, console.
std::string setup_container(InitArgs &a) {
  const spec::Config &c = *a.config;
  // Nothing of the runtime's (state-dir lock, cgroup dirs, ...) stays open in here.
  close_fds_from(3 + a.preserve_fds, {a.chan->fd(), a.state_dir_fd});
  Message go = a.chan->expect(Msg::go);
  g_rt.host_pid = std::atoi(go.text.c_str());
  apply_initial_affinity(c.process ? &*c.process : nullptr); // now in the container's cgroup
  enter_namespaces(a);
  if (a.new_keyring) ::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr);
  set_hostnames(c, a.ns);
  if (a.seccomp && a.seccomp->notify) // the listener's path is a host path: connect now
    g_rt.listener = connect_seccomp_agent(c.linux_->seccomp->listenerPath);

  if (a.ns.has("user") && a.ns.has("mount"))
    a.rootfs.bind_source = [&a](const PlannedMount &m) {
      a.chan->send(Msg::bind_source, std::to_string(m.index));
      Message r = a.chan->expect(Msg::bind_fd);
      if (!r.fd) throw Error("bind mount " + m.source + " to " + m.destination + ": no source fd");
      return std::move(r.fd);
    };
  if (a.ns.has("user") && a.ns.has("mount"))
    a.rootfs.device_nodes = [&a] {
      a.chan->send(Msg::device_nodes);
      Message r = a.chan->expect(Msg::device_nodes_fd);
      return std::move(r.fd); // none: the runtime could not mknod (rootless)
    };
  a.rootfs.before_pivot = [&a] {
    a.chan->send(Msg::hooks);
    a.chan->expect(Msg::hooks_done);
    if (a.create_container_hooks) a.create_container_hooks();
  };
  prepare_rootfs(c, a.rootfs);
  if (c.process && c.process->terminal) {
    unique_fd master = setup_console(c.process->consoleSize);
    a.chan->send(Msg::pty, "", master.get());
    a.chan->expect(Msg::ack);
  }
  finalize_rootfs(c, a.rootfs);
  // Resolve the executable now so a typo fails `create`, as with runc.
  return c.process ? find_executable(*c.process) : std::string();
}

// After `start`: the process's own attributes, in the kernel's order.
void setup_process(InitArgs &a, const spec::Process &p) {
  const spec::Config &c = *a.config;
  const spec::Linux *lnx = c.linux_ ? &*c.linux_ : nullptr;
  apply_process_attrs(p, lnx);
  apply_memory_policy(lnx);
  close_fds_from(3 + a.preserve_fds, {g_rt.fifo_w, g_rt.listener.get()});
  // cwd first as root (like runc), so a profile may block getcwd; if root
  // cannot enter it, retry as the user below.
  bool in_cwd = ::chdir(p.cwd.c_str()) == 0;
  if (in_cwd) check_cwd_inside();
  // Without noNewPrivileges the kernel wants CAP_SYS_ADMIN to load a
  // filter: load it while we still have it (as runc does).
  if (a.seccomp && seccomp_load_early(p)) load_filter(a);
  drop_bounding_set(p);
  set_user(p);
  apply_capabilities(p);
  if (a.exec_labels) a.exec_labels();
  apply_no_new_privs(p);
  if (!in_cwd) {
    if (::chdir(p.cwd.c_str()) < 0)
      throw_errno("chdir to cwd (\"" + p.cwd + "\") set in config.json");
    check_cwd_inside();
  }
  // With noNewPrivileges: last, so the profile cannot break setup.
  if (a.seccomp && !seccomp_load_early(p)) load_filter(a);
}

void init_steps(InitArgs &a) {
  std::string exe = setup_container(a);
  a.chan->send(Msg::ready);
  a.chan->expect(Msg::ack);     // `create` has recorded us as created
  ::prctl(PR_SET_PDEATHSIG, 0); // from here on we outlive `create`
  a.chan->close();
  g_rt.fifo_w = wait_for_start(a.state_dir_fd);
  if (!a.config->process) throw Error("no process configured");
  spec::Process p = *a.config->process;
  prepare_env(p); // HOME from the rootfs's /etc/passwd, read while still root
  setup_process(a, p);
  if (a.start_container_hooks) a.start_container_hooks();
  // Mark anything still open above the preserved fds close-on-exec.
  ::close_range(unsigned(3 + a.preserve_fds), ~0U, CLOSE_RANGE_CLOEXEC);
  exec_process(p, exe);
}

} // namespace

void exec_process(const spec::Process &p, const std::string &exe) {
  refuse_runtime_interpreter(exe);
  apply_final_affinity(p);
  std::vector<char *> argv, envp;
  for (auto &s : p.args)
    argv.push_back(const_cast<char *>(s.c_str()));
  argv.push_back(nullptr);
  bool has_pwd = false;
  for (auto &s : p.env) {
    envp.push_back(const_cast<char *>(s.c_str()));
    has_pwd |= s.rfind("PWD=", 0) == 0;
  }
  // Programs (Go's os.Getwd, shells) trust $PWD, which keeps them working
  // under profiles that deny getcwd (runtime-tools linux_seccomp).
  std::string pwd = "PWD=" + p.cwd;
  if (!has_pwd && !p.cwd.empty()) envp.push_back(pwd.data());
  envp.push_back(nullptr);
  ::execve(exe.c_str(), argv.data(), envp.data());
  throw_errno("exec " + exe);
}

void run_init(InitArgs &a) {
  // Die with the runtime until `create` has handed us over (then the fifo wait
  // is what keeps us, and `create` exits normally).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  try {
    init_steps(a);
  } catch (const std::exception &e) {
    bool sent = false;
    if (a.chan->fd() >= 0) {
      try {
        a.chan->send(Msg::error, e.what());
      } catch (...) {
      }
      // Sent, or `create` is gone and has printed its own error: either
      // way one line is enough.
      sent = true;
    }
    if (!sent && g_rt.fifo_w >= 0) { // after `start` opened the fifo: tell it
      std::string msg = e.what();
      sent = ::write(g_rt.fifo_w, msg.data(), msg.size()) == ssize_t(msg.size());
    }
    if (!sent) { // the container's stderr is all we have
      std::string line = std::string("hull: ") + e.what() + "\n";
      if (::write(2, line.data(), line.size()) < 0) {
      }
    }
  }
  ::_exit(1);
}

} // namespace hull::sys
