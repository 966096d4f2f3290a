// prepare_rootfs / finalize_rootfs: build the plan, then carry it out step by
// step in the order runtime-spec (and runc) give.
#include "linux/rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/devices.hpp"
#include "linux/masked_paths.hpp"
#include "linux/mounts.hpp"
#include "linux/rootfs_plan.hpp"
#include "linux/sysctl.hpp"
#include "util/error.hpp"

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

void move_into(int root_fd, const std::string &rootfs) {
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
    create_devices(root.get(), plan.devices, o.user_ns);
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
  for (const auto &[path, value] : plan.sysctl)
    write_sysctl(path, value);
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
