// prepare_rootfs / finalize_rootfs: build the plan, then carry it out step by
// step in the order runtime-spec (and runc) give.
#include "linux/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "linux/devices.hpp"
#include "linux/masked_paths.hpp"
#include "linux/mounts.hpp"
#include "linux/rootfs_plan.hpp"
#include "linux/sysctl.hpp"
#include "util/error.hpp"
#include "util/safe_path.hpp"

namespace hull::sys {

namespace {

void set_propagation(const char *path, unsigned long flags, const std::string &what) {
  if (::mount(nullptr, path, nullptr, flags, nullptr) != 0) throw_errno(what);
}

unique_fd open_dir(const std::string &path) {
  unique_fd fd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  return fd;
}

void pivot_into(int root_fd) {
  unique_fd old_root = open_dir("/");
  if (::fchdir(root_fd) != 0) throw_errno("chdir to rootfs");
  if (::syscall(SYS_pivot_root, ".", ".") != 0) throw_errno("pivot_root");
  // The old root is now stacked on "/": detach it, making sure the unmount
  // cannot propagate to the host first.
  if (::fchdir(old_root.get()) != 0) throw_errno("chdir to old root");
  set_propagation(".", MS_SLAVE | MS_REC, "make old root rslave");
  if (::umount2(".", MNT_DETACH) != 0) throw_errno("unmount old root");
  if (::chdir("/") != 0) throw_errno("chdir /");
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      int v = 0;
      bool ok = true;
      for (size_t k = 1; k <= 3 && ok; ++k) {
        ok = i + k < s.size() && s[i + k] >= '0' && s[i + k] <= '7';
        if (ok) v = v * 8 + (s[i + k] - '0');
      }
      if (ok) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// The mount points of every full procfs and sysfs outside the rootfs: with
// chroot they stay in the container's mount namespace, and a fully visible
// procfs there lets a nested user namespace mount a fresh one (runc hides
// them the same way for --no-pivot).
std::vector<std::string> host_proc_sys_mounts(const std::string &rootfs) {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, word;
    f >> id >> parent >> dev >> root >> point;
    while (f >> word && word != "-") {
    }
    std::string fstype;
    f >> fstype;
    point = unescape_mountinfo(point);
    const bool inside = point == rootfs || point.rfind(rootfs + "/", 0) == 0;
    if (root == "/" && (fstype == "proc" || fstype == "sysfs") && !inside) out.push_back(point);
  }
  return out;
}

void hide_host_proc_sys(const std::string &rootfs) {
  for (const auto &p : host_proc_sys_mounts(rootfs)) {
    // Never let the unmount propagate to the host.
    if (::mount(nullptr, p.c_str(), nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
      if (errno == ENOENT || errno == EINVAL) continue; // gone with a parent
      throw_errno("make " + p + " rslave");
    }
    if (::umount2(p.c_str(), MNT_DETACH) == 0) continue;
    if (errno != EINVAL && errno != EPERM) throw_errno("unmount " + p);
    // Not ours to unmount (locked in a user namespace): cover it instead.
    if (::mount("tmpfs", p.c_str(), "tmpfs", MS_RDONLY, nullptr) != 0) throw_errno("cover " + p);
  }
}

void move_into(int root_fd, const std::string &rootfs) {
  hide_host_proc_sys(rootfs);
  if (::fchdir(root_fd) != 0) throw_errno("chdir to rootfs");
  if (::mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0)
    throw_errno("move " + rootfs + " to /");
  if (::chroot(".") != 0) throw_errno("chroot " + rootfs);
  if (::chdir("/") != 0) throw_errno("chdir /");
}

void chroot_into(int root_fd, const std::string &rootfs) {
  if (::fchdir(root_fd) != 0) throw_errno("chdir to rootfs");
  if (::chroot(".") != 0) throw_errno("chroot " + rootfs);
  if (::chdir("/") != 0) throw_errno("chdir /");
}

} // namespace

void prepare_rootfs(const spec::Config &c, const RootfsOptions &o) {
  const RootfsPlan plan = plan_rootfs(c, o);
  if (plan.tree_propagation)
    set_propagation("/", plan.tree_propagation, "make / private to the container");
  if (plan.bind_root &&
      ::mount(o.rootfs.c_str(), o.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    throw_errno("bind mount rootfs " + o.rootfs + " onto itself");
  unique_fd root = open_dir(o.rootfs); // the bind, now on top
  for (const auto &m : plan.mounts)
    mount_entry(root.get(), m, o);
  if (plan.setup_dev) {
    unique_fd nodes;
    if (o.user_ns && o.device_nodes && !plan.devices.empty()) nodes = o.device_nodes();
    create_devices(root.get(), plan.devices, o.user_ns, nodes.get());
    create_dev_links(root.get());
  }
  if (plan.console) create_console_target(root.get());
  if (plan.dev_readonly) {
    MountOptions ro;
    ro.flags = MS_RDONLY;
    unique_fd dev = open_dir(o.rootfs + "/dev");
    if (::mount(nullptr, fd_path(dev.get()).c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) != 0)
      throw_errno("remount /dev read-only");
  }
  // Like runc: a missing process.cwd is made (0755, owned by the container's
  // root), after the mounts so it lands in the one that covers it.
  if (c.process && !c.process->cwd.empty()) {
    try {
      mkdir_in_root(root.get(), c.process->cwd, false, 0755);
    } catch (Error &e) {
      throw e.context("process.cwd");
    }
  }
  // createContainer hooks run with the rootfs as their working directory,
  // as in runc (they may use paths relative to it).
  if (::fchdir(root.get()) != 0) throw_errno("chdir to rootfs " + o.rootfs);
  if (o.before_pivot) o.before_pivot();
  switch (plan.root_switch) {
  case RootSwitch::PivotRoot:
    pivot_into(root.get());
    break;
  case RootSwitch::MoveRoot:
    move_into(root.get(), o.rootfs);
    break;
  case RootSwitch::Chroot:
    chroot_into(root.get(), o.rootfs);
    break;
  }
}

void finalize_rootfs(const spec::Config &c, const RootfsOptions &o) {
  const FinalizePlan plan = plan_finalize(c);
  for (const auto &[path, value] : plan.sysctl) {
    try {
      write_sysctl(path, value);
    } catch (Error &e) { // a value the kernel refuses: name the key
      std::string key = path.substr(std::string("/proc/sys/").size());
      for (char &ch : key)
        if (ch == '/') ch = '.';
      throw e.context("linux.sysctl[\"" + key + "\"]");
    }
  }
  for (const auto &p : plan.readonly)
    readonly_path(p);
  for (const auto &p : plan.masked)
    mask_path(p);
  if (plan.root_readonly) remount_root_readonly();
  if (plan.root_propagation && o.mount_ns) {
    set_propagation("/", plan.root_propagation, "set rootfs propagation");
    // Paths are safe here: after pivot_root a symlink cannot leave "/".
    for (const auto &[dest, flag] : plan.mount_propagation)
      set_propagation(dest.c_str(), flag, "set propagation of " + dest);
  }
}

} // namespace hull::sys
