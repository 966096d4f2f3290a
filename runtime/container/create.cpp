// `create`: the runtime side of container start, as a short list of steps:
// load config -> state dir -> exec.fifo -> cgroup -> seccomp -> clone init ->
// id maps + placement -> hooks -> ready -> state + pid file.
#include <fcntl.h>
#include <fstream>
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
#include "linux/terminal.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"
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

// Undoes a half-made container unless disarmed.
struct Rollback {
  std::string dir;
  std::unique_ptr<cgroups::Manager> cg;
  pid_t pid = 0;
  // poststop hooks release what earlier hooks made (a network, a volume)
  const std::vector<spec::Hook> *poststop = nullptr;
  spec::State state;
  bool armed = true;
  ~Rollback() {
    if (!armed) return;
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (cg) {
      try {
        cg->destroy();
      } catch (const std::exception &e) {
        log::warn(std::string("cleanup: ") + e.what());
      }
    }
    if (poststop && !poststop->empty()) {
      state.status = "stopped";
      run_hooks_warn(*poststop, state, "poststop");
    }
    if (!dir.empty()) {
      try {
        remove_state_dir(dir);
      } catch (const std::exception &e) {
        log::warn(std::string("cleanup: ") + e.what());
      }
    }
  }
};

void write_pid_file(const std::string &path, pid_t pid) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) throw_errno("write pid file " + path);
    f << pid;
  }
  if (::rename(tmp.c_str(), path.c_str()) < 0) throw_errno("rename pid file " + path);
}

void copy_config(const std::string &bundle, const std::string &dir) {
  std::ifstream in(bundle + "/config.json", std::ios::binary);
  std::ofstream out(dir + "/config.json", std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
  if (!out.flush()) throw_errno("copy config.json to " + dir);
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

Created create(const GlobalOptions &g, const CreateOptions &o) {
  // The runtime must never expose itself to the container (CVE-2019-5736).
  ::prctl(PR_SET_DUMPABLE, 0);
  check_id(o.id);
  std::string bundle = absolute(o.bundle);
  spec::Config cfg = spec::load_config(bundle);
  if (!cfg.root) throw Error("config.json: root: required on Linux");
  std::string root_path = cfg.root->path[0] == '/' ? cfg.root->path : bundle + "/" + cfg.root->path;
  struct stat st;
  if (::stat(root_path.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
    throw Error("config.json: root.path: rootfs \"" + root_path +
                "\" does not exist or is not a directory");
  std::string rootfs = absolute(root_path);
  const spec::Linux *lnx = cfg.linux_ ? &*cfg.linux_ : nullptr;
  sys::NsPlan ns = sys::plan_namespaces(lnx);
  sys::check_lsm_requests(cfg);
  if (cfg.process && cfg.process->terminal && o.console_socket.empty() && !o.keep_pty)
    throw Error("cannot allocate tty if hull will detach without setting console socket");

  // state directory
  make_state_root(g.root);
  Rollback rb;
  std::string dir = g.root + "/" + o.id;
  if (::mkdir(dir.c_str(), 0711) < 0) {
    if (errno == EEXIST) throw Error("container with id exists: " + o.id);
    throw_errno("create state directory " + dir);
  }
  rb.dir = dir;
  copy_config(bundle, dir);

  Container c = Container::fresh(g);
  Record &rec = c.record();
  rec.id = o.id;
  rec.bundle = bundle;
  rec.rootfs = rootfs;
  rec.created = rfc3339_nano_now();
  rec.status = "creating";
  rec.annotations = cfg.annotations;
  rec.shared_pid_ns = !ns.pid_path.empty();
  unique_fd lockfd = c.lock();

  std::string fifo = dir + "/exec.fifo";
  if (::mkfifo(fifo.c_str(), 0622) < 0) throw_errno("mkfifo " + fifo);
  // The init opens it as the container's root, which may be another host uid.
  auto [owner_uid, owner_gid] = container_root_owner(ns.new_user ? lnx : nullptr);
  if (::chmod(fifo.c_str(), 0622) < 0 ||
      ::chown(fifo.c_str(), owner_uid.value_or(0), owner_gid.value_or(0)) < 0)
    throw_errno("chown " + fifo);
  unique_fd fifo_fd(::open(fifo.c_str(), O_PATH | O_CLOEXEC));
  if (!fifo_fd) throw_errno("open " + fifo);

  // cgroup
  rb.cg = cgroups::make_manager(o.id, lnx ? lnx->cgroupsPath : "", g.systemd_cgroup);
  if (lnx) rb.cg->set_linux_devices(lnx->devices); // their allow rules, like runc
  rb.cg->create(lnx && lnx->resources ? &*lnx->resources : nullptr, owner_uid, owner_gid);
  rec.cgroup = rb.cg->to_json();

  // seccomp, compiled (or taken from the cache) before clone
  auto seccomp = sys::prepare_seccomp(lnx, g.root + "/seccomp-cache");

  // clone the init
  sys::SyncChannel parent_end, child_end;
  sys::SyncChannel::pair(parent_end, child_end);
  // On failure the init dies before its channel closes: otherwise it would
  // report the closed channel on the stderr it shares with us.
  struct KillFirst {
    Rollback &rb;
    ~KillFirst() {
      if (rb.armed && rb.pid > 0) ::kill(rb.pid, SIGKILL);
    }
  } kill_first{rb};
  bool placed = false;
  pid_t pid;
  {
    PidNsForChildren pidns(ns.pid_path);
    pid = sys::clone_process(ns.clone_flags, rb.cg->clone_into_fd(), &placed);
  }
  if (pid == 0) {
    parent_end.close();
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
    a.fifo_fd = fifo_fd.get();
    a.preserve_fds = o.preserve_fds;
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
    sys::run_init(a);
  }
  rb.pid = pid;
  if (cfg.hooks) {
    rb.poststop = &cfg.hooks->poststop;
    rb.state.id = o.id;
    rb.state.bundle = bundle;
    rb.state.annotations = cfg.annotations;
    rb.state.pid = pid;
  }
  child_end.close();
  if (!placed) rb.cg->add_pid(pid);
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
      int wst = 0;
      ::waitpid(pid, &wst, 0);
      rb.pid = 0;
      throw Error("container init exited unexpectedly during setup");
    }
    if (m.type == sys::Msg::error) throw Error(m.text);
    if (m.type == sys::Msg::hooks) {
      if (lnx) sys::move_net_devices(pid, *lnx); // the init has its netns by now
      if (cfg.hooks) {
        run_hooks(cfg.hooks->prestart, state, "prestart");
        run_hooks(cfg.hooks->createRuntime, state, "createRuntime");
      }
      parent_end.send(sys::Msg::hooks_done);
    } else if (m.type == sys::Msg::pty) {
      if (!o.console_socket.empty())
        sys::send_to_console_socket(o.console_socket, m.fd.get());
      else if (o.keep_pty)
        out.pty_master = std::move(m.fd);
      else
        throw Error("process.terminal is true but no --console-socket was given");
      parent_end.send(sys::Msg::ack);
    } else if (m.type == sys::Msg::bind_source) {
      unique_fd tree = sys::bind_source_for(pid, cfg, bundle, std::stoul(m.text));
      parent_end.send(sys::Msg::bind_fd, "", tree.get());
    } else if (m.type == sys::Msg::ready) {
      sys::apply_intel_rdt(lnx, o.id, pid); // last: nothing after it can fail
      break;
    }
  }
  rec.pid = pid;
  rec.pid_start = pid_start_time(pid);
  rec.status = "created";
  c.save();
  if (!o.pid_file.empty()) write_pid_file(o.pid_file, pid);
  rb.armed = false;
  return out;
}

} // namespace hull::container
