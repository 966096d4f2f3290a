#include "linux/masked_paths.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/mounts.hpp"
#include "util/error.hpp"
#include "util/safe_path.hpp"

namespace hull::sys {

namespace {

unique_fd open_root() {
  unique_fd r(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!r) throw_errno("open /");
  return r;
}

// The target, or an empty fd when it does not exist.
unique_fd open_target(int root, const std::string &path, const std::string &what) {
  try {
    return open_in_root(root, path, O_PATH);
  } catch (Error &e) {
    if (e.err() == ENOENT || e.err() == ENOTDIR) return unique_fd();
    throw e.context(what);
  }
}

} // namespace

void mask_path(const std::string &path) {
  const std::string what = "mask " + path;
  unique_fd root = open_root();
  unique_fd target = open_target(root.get(), path, what);
  if (!target) return;
  struct stat st;
  if (::fstat(target.get(), &st) != 0) throw_errno(what);
  if (S_ISDIR(st.st_mode)) {
    unique_fd mnt = new_fs("tmpfs", "tmpfs", MS_RDONLY, "", what);
    attach(mnt.get(), target.get(), what);
    return;
  }
  unique_fd null;
  try {
    null = open_in_root(root.get(), "/dev/null", O_PATH | O_NOFOLLOW);
  } catch (Error &e) {
    throw e.context(what);
  }
  struct stat ns;
  if (::fstat(null.get(), &ns) != 0) throw_errno(what + ": stat /dev/null");
  if (!S_ISCHR(ns.st_mode) || ns.st_rdev != makedev(1, 3))
    throw Error(what + ": /dev/null is not the null device (a symlink or another file)");
  bind_fd(null.get(), target.get(), false, what);
}

void readonly_path(const std::string &path) {
  const std::string what = "make " + path + " read-only";
  unique_fd root = open_root();
  unique_fd target = open_target(root.get(), path, what);
  if (!target) return;
  unique_fd tree(::open_tree(target.get(), "",
                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
  if (!tree) throw_errno(what + ": open_tree");
  set_attrs(tree.get(),
            MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0, false,
            what);
  attach(tree.get(), target.get(), what);
}

void remount_root_readonly() {
  const unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
  if (::mount("", "/", nullptr, flags, nullptr) == 0) return;
  int err = errno;
  struct statvfs sv;
  if (::statvfs("/", &sv) != 0) throw_errno("statvfs /");
  MountOptions none;
  if (::mount("", "/", nullptr, flags | locked_flags_to_keep(sv.f_flag, none, true), nullptr) == 0)
    return;
  throw_err("remount / read-only", err);
}

} // namespace hull::sys
