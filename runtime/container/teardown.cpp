// Container::teardown: undoes whatever a container holds, from its record or,
// when the record is damaged, from the config.json copy alone. Every step
// tolerates what an earlier, interrupted teardown already did, so a killed
// `delete` is finished by the next `delete -f`.
#include <csignal>
#include <fstream>
#include <optional>
#include <poll.h>
#include <sstream>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/container.hpp"
#include "container/hooks.hpp"
#include "linux/intel_rdt.hpp"
#include "linux/netdev.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"
#include "util/fault.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace hull::container {
namespace {

// Without a mount namespace the init's mounts landed in ours, under rootfs.
void unmount_under(const std::string &rootfs) {
  if (rootfs.empty()) return;
  std::ifstream mi("/proc/self/mountinfo");
  std::vector<std::string> targets;
  std::string line;
  while (std::getline(mi, line)) {
    std::istringstream in(line);
    std::string f;
    for (int i = 0; i < 5 && in >> f; i++) {
    }
    if (f.rfind(rootfs + "/", 0) == 0) targets.push_back(f);
  }
  for (auto it = targets.rbegin(); it != targets.rend(); ++it)
    ::umount2(it->c_str(), MNT_DETACH);
}

bool has_mount_ns(const spec::Config &cfg) {
  if (!cfg.linux_) return false;
  for (auto &n : cfg.linux_->namespaces)
    if (n.type == "mount") return true;
  return false;
}

// SIGKILLs the init and everything in the cgroup until both are gone.
void kill_everything(const Container &c, cgroups::Manager *m) {
  if (m) {
    try {
      if (m->frozen()) m->freeze(false); // v1 frozen tasks cannot die
    } catch (const std::exception &e) {
      log::warn(std::string("delete: ") + e.what());
    }
  }
  // A pidfd of the init (opened, then checked to still be our init) wakes
  // us when it exits instead of a fixed 10 ms sleep per round.
  unique_fd pfd;
  if (c.init_alive()) {
    pfd = unique_fd(int(::syscall(SYS_pidfd_open, c.record().pid, 0)));
    if (pfd && !c.init_alive()) pfd = unique_fd();
  }
  for (int i = 0; i < 500; i++) {
    bool any = false;
    if (c.init_alive()) {
      ::kill(c.record().pid, SIGKILL);
      any = true;
    }
    if (m)
      for (pid_t p : m->pids()) {
        ::kill(p, SIGKILL);
        any = true;
      }
    if (!any) return;
    if (pfd) {
      pollfd p{pfd.get(), POLLIN, 0};
      if (::poll(&p, 1, 10) != 0) pfd = unique_fd(); // exited (or an error): stop waiting on it
      continue;
    }
    ::usleep(i < 20 ? 1000 : 10000); // the rest of the cgroup leaves within moments
  }
  throw Error("container " + c.id() + ": processes did not exit after SIGKILL");
}

} // namespace

void Container::teardown() {
  std::optional<spec::Config> cfg;
  try {
    cfg = config();
  } catch (const std::exception &e) {
    // Normal for a create cut short before it copied config.json.
    if (::access((dir() + "/config.json").c_str(), F_OK) == 0)
      log::warn(std::string("delete: ") + e.what());
  }
  std::unique_ptr<cgroups::Manager> m;
  if (damaged_.empty()) {
    m = cgroup();
  } else if (cfg) {
    // No usable record: derive the cgroup like create does and own it.
    const spec::Linux *lnx = cfg->linux_ ? &*cfg->linux_ : nullptr;
    try {
      m = cgroups::make_manager(rec_.id, lnx ? lnx->cgroupsPath : "", g_.systemd_cgroup);
      m->adopt();
    } catch (const std::exception &e) {
      log::warn(std::string("delete: ") + e.what());
    }
  }
  if (cfg && cfg->linux_ && init_alive()) {
    try { // before the namespace dies with the init
      sys::return_net_devices(rec_.pid, *cfg->linux_);
    } catch (const std::exception &e) {
      log::warn(std::string("delete: ") + e.what());
    }
  }
  kill_everything(*this, m.get());
  fault::point("delete.killed");
  if (cfg) {
    try {
      sys::remove_intel_rdt(cfg->linux_ ? &*cfg->linux_ : nullptr, rec_.id);
    } catch (const std::exception &e) {
      log::warn(std::string("delete: ") + e.what());
    }
  }
  if (m) m->destroy();
  fault::point("delete.cgroup");
  if (cfg && !has_mount_ns(*cfg)) unmount_under(rec_.rootfs);
  // poststop undoes what createRuntime/prestart made (network addresses ...):
  // run it whenever those may have run (a damaged record cannot say, so yes;
  // a create cut short before its record has no config.json either).
  bool hooks_may_have_run = rec_.hooks_ran || rec_.status != "creating" || !damaged_.empty();
  if (cfg && cfg->hooks && hooks_may_have_run) {
    spec::State s = oci_state();
    s.status = "stopped";
    s.pid = 0;
    run_hooks_warn(cfg->hooks->poststop, s, "poststop");
  }
  fault::point("delete.poststop");
  remove_state_dir(dir());
}

} // namespace hull::container
