// `create`: the runtime side of container start, as a short list of steps:
// load config -> state dir -> exec.fifo -> cgroup -> seccomp -> clone init ->
// id maps + placement -> hooks -> ready -> state + pid file.
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/hooks.hpp"
#include "container/lifecycle.hpp"
#include "linux/clone.hpp"
#include "linux/idmap.hpp"
#include "linux/init.hpp"
#include "linux/intel_rdt.hpp"
#include "linux/lsm.hpp"
#include "linux/netdev.hpp"
#include "linux/process.hpp"
#include "linux/terminal.hpp"
#include "linux/userns_devices.hpp"
#include "spec/spec.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"
#include "util/fault.hpp"
#include "util/inherited_fds.hpp"
#include "util/log.hpp"
#include "util/path.hpp"

namespace hull::container {
namespace {

// --root with its parents, 0700 like runc: containerd's shim passes a root
// whose parent does not exist yet.
void make_state_root(const std::string &root) {
  std::string cur;
  for (const auto &c : clean_components(root)) {
    cur += "/" + c;
    if (::mkdir(cur.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("create state root " + cur);
  }
}

std::string absolute(const std::string &p) {
  char buf[PATH_MAX];
  if (!::realpath(p.c_str(), buf)) throw_errno("resolve " + p);
  return buf;
}

// Undoes a half-made container: the same teardown `delete -f` does, from
// the in-memory record (which may be ahead of the one on disk). It owns the
// container and its lock so that both outlive create's own frames.
struct Rollback {
  std::optional<Container> c;
  unique_fd lock;
  bool armed = false;
  // What could not be undone ("" when everything was, or nothing was to do).
  std::string undo() noexcept {
    if (!armed || !c) return "";
    armed = false;
    try {
      c->teardown();
    } catch (const std::exception &e) {
      return e.what();
    }
    return "";
  }
};

// In the child right after clone: die with `create` (SIGKILL when it dies),
// and check it did not die before that took effect: then its end of the
// channel is closed (POLLHUP), and without a new pid namespace our parent
// is no longer the one that cloned us.
void die_with_parent(pid_t parent, const sys::SyncChannel &chan) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  pid_t pp = ::getppid();
  pollfd p{chan.fd(), 0, 0};
  if ((pp != 0 && pp != parent) || (::poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))) ::_exit(1);
}

// The init was SIGKILLed before it was ready: a memory limit too low for it
// shows as hits of the limit (v1 memory.failcnt, v2 memory.events max).
void oom_in_setup(cgroups::Manager &cg, const spec::Linux *lnx) {
  if (!lnx || !lnx->resources || !lnx->resources->memory || !lnx->resources->memory->limit) return;
  uint64_t hits = 0;
  try {
    const auto st = cg.stats();
    hits = st.at("memory").at("usage").at("failcnt").get<uint64_t>();
  } catch (const std::exception &) {
    return;
  }
  if (hits > 0)
    throw Error("linux.resources.memory.limit: the container init was killed during setup: " +
                std::to_string(*lnx->resources->memory->limit) +
                " bytes is too little memory to start it");
}

bool has_create_hooks(const spec::Config &cfg) {
  return cfg.hooks && (!cfg.hooks->prestart.empty() || !cfg.hooks->createRuntime.empty() ||
                       !cfg.hooks->createContainer.empty());
}

void write_pid_file(const std::string &path, pid_t pid) {
  try {
    write_file_atomic(path, std::to_string(pid), 0644);
  } catch (Error &e) {
    throw e.context("pid file");
  }
}

void copy_config(const std::string &bundle, const std::string &dir) {
  std::ifstream in(bundle + "/config.json", std::ios::binary);
  if (!in) throw_errno("read " + bundle + "/config.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write_file_atomic(dir + "/config.json", text);
}

// Joins the pid namespace at path for our children only, restoring ours after.
struct PidNsForChildren {
  unique_fd saved;
  explicit PidNsForChildren(const std::string &path) {
    if (path.empty()) return;
    saved.reset(::open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC));
    unique_fd target(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!target) throw_errno("open pid namespace " + path);
    if (::setns(target.get(), CLONE_NEWPID) < 0) throw_errno("setns pid namespace " + path);
  }
  ~PidNsForChildren() {
    if (saved) ::setns(saved.get(), CLONE_NEWPID);
  }
};

std::pair<std::optional<uid_t>, std::optional<gid_t>> container_root_owner(const spec::Linux *l) {
  std::optional<uid_t> u;
  std::optional<gid_t> g;
  if (!l) return {u, g};
  for (auto &m : l->uidMappings)
    if (m.containerID == 0) u = m.hostID;
  for (auto &m : l->gidMappings)
    if (m.containerID == 0) g = m.hostID;
  return {u, g};
}

} // namespace

std::string rfc3339_nano_now() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  ::gmtime_r(&ts.tv_sec, &tm);
  char buf[64], out[96];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(out, sizeof out, "%s.%09ldZ", buf, ts.tv_nsec);
  return out;
}

namespace {

Created create_steps(const GlobalOptions &g, const CreateOptions &o, Rollback &rb) {
  // The runtime must never expose itself to the container (CVE-2019-5736).
  ::prctl(PR_SET_DUMPABLE, 0);
  check_id(o.id);
  const int listen_fds = socket_activation_fds(); // they come before --preserve-fds
  check_preserve_fds(o.preserve_fds, listen_fds);
  std::string bundle = absolute(o.bundle);
  spec::Config cfg = spec::load_config(bundle);
  if (!cfg.root) throw Error("config.json: root: required on Linux");
  // (create without one is allowed: runtime-tools' start test releases such an init)
  if (!cfg.process && o.need_process)
    throw Error("config.json: process: missing, and run has nothing to start without it");
  if (cfg.process) sys::warn_ignored_capabilities(*cfg.process);
  std::string root_path = cfg.root->path[0] == '/' ? cfg.root->path : bundle + "/" + cfg.root->path;
  struct stat st;
  if (::stat(root_path.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
    throw Error("config.json: root.path: rootfs \"" + root_path +
                "\" does not exist or is not a directory");
  std::string rootfs = absolute(root_path);
  const spec::Linux *lnx = cfg.linux_ ? &*cfg.linux_ : nullptr;
  sys::NsPlan ns = sys::plan_namespaces(lnx);
  sys::check_namespace_paths(lnx);
  sys::check_lsm_requests(cfg);
  if (cfg.process && cfg.process->terminal && o.console_socket.empty() && !o.keep_pty)
    throw Error("cannot allocate tty if hull will detach without setting console socket");
  // as runc: a socket nobody will ever be sent a pty on is a caller's mistake
  if (!o.console_socket.empty() && !(cfg.process && cfg.process->terminal))
    throw Error("--console-socket: cannot use console socket if process.terminal is false");

  // The cgroup is planned (not made) before anything exists, so the first
  // record already names every directory create will make.
  auto cg = cgroups::make_manager(o.id, lnx ? lnx->cgroupsPath : "", g.systemd_cgroup);
  if (lnx) cg->set_linux_devices(lnx->devices); // drop defaults they override, like runc
  // Like runc: a pre-existing frozen cgroup would freeze the init mid-setup.
  if (cg->frozen()) throw Error("container's cgroup unexpectedly frozen");
  cg->claim();

  // The id is claimed by mkdir: of parallel creates exactly one wins.
  make_state_root(g.root);
  std::string dir = g.root + "/" + o.id;
  if (::mkdir(dir.c_str(), 0711) < 0) {
    if (errno == EEXIST) throw Error("container with id exists: " + o.id);
    throw_errno("create state directory " + dir);
  }
  fault::point("create.claimed");
  Container &c = rb.c.emplace(Container::fresh(g));
  Record &rec = c.record();
  rec.id = o.id;
  // A delete -f and another create may have raced us to the directory
  // between mkdir and here: whoever finds a record in it lost.
  rb.lock = c.lock(/*reload=*/false);
  if (::access((dir + "/state.json").c_str(), F_OK) == 0)
    throw Error("container with id exists: " + o.id);
  rb.armed = true;
  rec.bundle = bundle;
  rec.rootfs = rootfs;
  rec.created = rfc3339_nano_now();
  rec.status = "creating";
  rec.annotations = cfg.annotations;
  rec.shared_pid_ns = !ns.pid_path.empty();
  rec.cgroup = cg->to_json();
  // The record first: from here on whatever exists is listed in it.
  c.save();
  fault::point("create.recorded");
  copy_config(bundle, dir);
  fault::point("create.config");

  std::string fifo = dir + "/exec.fifo";
  if (::mkfifo(fifo.c_str(), 0622) < 0) throw_errno("mkfifo " + fifo);
  // The init opens it as the container's root, which may be another host uid.
  auto [owner_uid, owner_gid] = container_root_owner(ns.new_user ? lnx : nullptr);
  if (::chmod(fifo.c_str(), 0622) < 0 ||
      ::chown(fifo.c_str(), owner_uid.value_or(0), owner_gid.value_or(0)) < 0)
    throw_errno("chown " + fifo);
  // The init opens exec.fifo through this, which needs no /proc in the container.
  unique_fd state_dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!state_dir_fd) throw_errno("open " + dir);
  fault::point("create.fifo");

  // cgroup (the record already lists its directories)
  cg->create(lnx && lnx->resources ? &*lnx->resources : nullptr, owner_uid, owner_gid);
  rec.cgroup = cg->to_json();
  fault::point("create.cgroup");
  if (cg->frozen()) throw Error("container's cgroup unexpectedly frozen (a parent is frozen)");
  // Like runc 1.1: sharing a cgroup with running processes works, with a warning.
  if (const size_t n = cg->pids().size(); n > 0)
    log::warn("container's cgroup is not empty: " + std::to_string(n) + " process(es) found");

  // seccomp, compiled (or taken from the cache) before clone
  auto seccomp = sys::prepare_seccomp(lnx, g.root + "/seccomp-cache");
  fault::point("create.seccomp");

  // clone the init
  sys::SyncChannel parent_end, child_end;
  sys::SyncChannel::pair(parent_end, child_end);
  // On failure the init dies before its channel closes: otherwise it would
  // report the closed channel on the stderr it shares with us.
  struct KillFirst {
    Rollback &rb;
    ~KillFirst() {
      pid_t pid = rb.armed ? rb.c->record().pid : 0;
      if (pid <= 0) return;
      ::kill(pid, SIGKILL);
      // Reaped here: exiting with it unreaped leaves a zombie to whoever
      // inherits it (a PID 1 that reaps late keeps it for seconds).
      reap_killed(pid);
    }
  } kill_first{rb};
  bool placed = false;
  pid_t pid;
  pid_t self = ::getpid();
  {
    PidNsForChildren pidns(ns.pid_path);
    pid = sys::clone_process(ns.clone_flags, cg->clone_into_fd(), &placed);
  }
  if (pid == 0) {
    parent_end.close();
    die_with_parent(self, child_end);
    sigset_t none; // `run` blocks every signal to forward them; the init must not
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    sys::InitArgs a;
    a.config = &cfg;
    a.ns = ns;
    a.rootfs.rootfs = rootfs;
    a.rootfs.bundle = bundle;
    a.rootfs.no_pivot = o.no_pivot;
    a.rootfs.mount_ns = ns.has("mount");
    a.rootfs.user_ns = ns.has("user");
    a.rootfs.terminal = cfg.process && cfg.process->terminal;
    a.rootfs.cgroup_ns = ns.has("cgroup");
    a.chan = &child_end;
    a.state_dir_fd = state_dir_fd.get();
    a.preserve_fds = listen_fds + o.preserve_fds;
    a.new_keyring = !o.no_new_keyring;
    a.seccomp = seccomp ? &*seccomp : nullptr;
    a.state.id = o.id;
    a.state.bundle = bundle;
    a.state.annotations = cfg.annotations;
    spec::State st0;
    st0.id = o.id;
    st0.bundle = bundle;
    st0.annotations = cfg.annotations;
    if (cfg.hooks) {
      // inside the container: the process's environment, output kept off its streams
      HookWhere inside{cfg.process ? cfg.process->env : std::vector<std::string>{}, false};
      a.create_container_hooks = [&cfg, st0, inside]() mutable {
        st0.status = "creating";
        st0.pid = ::getpid();
        run_hooks(cfg.hooks->createContainer, st0, "createContainer", inside);
      };
      a.start_container_hooks = [&cfg, st0, inside]() mutable {
        st0.status = "created";
        st0.pid = ::getpid();
        run_hooks(cfg.hooks->startContainer, st0, "startContainer", inside);
      };
    }
    if (cfg.process) a.exec_labels = [&cfg] { sys::apply_exec_labels(*cfg.process); };
    if (listen_fds > 0 && cfg.process) { // the process only, not the hooks (runc)
      cfg.process->env.push_back("LISTEN_FDS=" + std::to_string(listen_fds));
      cfg.process->env.push_back("LISTEN_PID=1");
    }
    sys::run_init(a);
  }
  child_end.close();
  rec.pid = pid;
  rec.pid_start = pid_start_time(pid);
  fault::point("create.cloned");
  c.save();
  fault::point("create.pid_saved");
  if (!placed) cg->add_pid(pid);
  if (ns.new_user && lnx) sys::write_id_maps(pid, lnx->uidMappings, lnx->gidMappings);
  parent_end.send(sys::Msg::go, std::to_string(pid));

  spec::State state;
  state.id = o.id;
  state.bundle = bundle;
  state.annotations = cfg.annotations;
  state.status = "creating";
  state.pid = pid;
  Created out;
  out.pid = pid;
  for (;;) {
    sys::Message m;
    if (!parent_end.recv(m)) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) oom_in_setup(*cg, lnx);
      throw Error("container init exited unexpectedly during setup");
    }
    if (m.type == sys::Msg::error) throw Error(m.text);
    if (m.type == sys::Msg::hooks) {
      if (lnx) sys::move_net_devices(pid, *lnx); // the init has its netns by now
      if (has_create_hooks(cfg)) {
        rec.hooks_ran = true; // from here on delete runs poststop
        c.save();
      }
      fault::point("create.hooks");
      if (cfg.hooks) {
        run_hooks(cfg.hooks->prestart, state, "prestart");
        run_hooks(cfg.hooks->createRuntime, state, "createRuntime");
      }
      fault::point("create.hooks_done");
      parent_end.send(sys::Msg::hooks_done);
    } else if (m.type == sys::Msg::pty) {
      if (!o.console_socket.empty())
        sys::send_to_console_socket(o.console_socket, m.fd.get());
      else if (o.keep_pty)
        out.pty_master = std::move(m.fd);
      else
        throw Error("process.terminal is true but no --console-socket was given");
      parent_end.send(sys::Msg::ack);
    } else if (m.type == sys::Msg::device_nodes) {
      unique_fd nodes;
      try {
        nodes = sys::device_nodes_for(pid, cfg, bundle);
      } catch (const Error &e) {
        if (e.err() != EPERM) throw; // rootless: the init binds the host's nodes
      }
      parent_end.send(sys::Msg::device_nodes_fd, "", nodes.get());
    } else if (m.type == sys::Msg::bind_source) {
      unique_fd tree = sys::bind_source_for(pid, cfg, bundle, std::stoul(m.text));
      parent_end.send(sys::Msg::bind_fd, "", tree.get());
    } else if (m.type == sys::Msg::ready) {
      sys::apply_intel_rdt(lnx, o.id, pid); // last: nothing after it can fail
      break;
    }
  }
  fault::point("create.ready");
  rec.status = "created";
  c.save();
  fault::point("create.saved");
  if (!o.pid_file.empty()) write_pid_file(o.pid_file, pid);
  // Until this ack the init dies with us (PR_SET_PDEATHSIG); it closes the
  // channel once it no longer does, and only then may we exit.
  parent_end.send(sys::Msg::ack);
  sys::Message eof;
  while (parent_end.recv(eof)) {
  }
  rb.armed = false;
  return out;
}

} // namespace

void reap_killed(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    pid_t r = ::waitpid(pid, nullptr, __WALL | WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return; // reaped, or not our child
    ::usleep(i < 20 ? 1000 : 10000);
  }
}

Created create(const GlobalOptions &g, const CreateOptions &o) {
  Rollback rb;
  try {
    return create_steps(g, o, rb);
  } catch (const std::exception &e) {
    // One error line, also when the cleanup itself fails (a --root gone
    // read-only keeps the state directory): its record lets delete -f finish.
    std::string left = rb.undo();
    if (left.empty()) throw;
    throw Error(std::string(e.what()) + "; cleanup: " + left + " (delete -f " + o.id +
                " finishes it)");
  }
}

} // namespace hull::container
