#include "linux/devices.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/mounts.hpp"
#include "util/error.hpp"
#include "util/safe_path.hpp"

namespace hull::sys {

namespace {

std::pair<std::string, std::string> split_parent(const std::string &p) {
  auto i = p.rfind('/');
  if (i == std::string::npos) return {"/", p};
  return {i == 0 ? "/" : p.substr(0, i), p.substr(i + 1)};
}

mode_t type_bits(char t) {
  switch (t) {
  case 'b':
    return S_IFBLK;
  case 'p':
    return S_IFIFO;
  default:
    return S_IFCHR;
  }
}

void mknod_device(int dir, const std::string &name, const DeviceNode &d) {
  const mode_t type = type_bits(d.type);
  const dev_t rdev =
      d.type == 'p' ? 0 : makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
  const std::string what = "create device " + d.path;
  if (::mknodat(dir, name.c_str(), type | (d.mode & 0777), rdev) != 0) {
    if (errno != EEXIST) throw_errno(what);
    // Something is already there (a rootfs without a /dev tmpfs): keep a
    // matching node, replace anything else (a symlink could point anywhere).
    struct stat st;
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) throw_errno(what);
    if ((st.st_mode & S_IFMT) != type || st.st_rdev != rdev) {
      if (S_ISDIR(st.st_mode)) throw_err(what, EISDIR);
      if (::unlinkat(dir, name.c_str(), 0) != 0) throw_errno(what + ": remove old entry");
      if (::mknodat(dir, name.c_str(), type | (d.mode & 0777), rdev) != 0) throw_errno(what);
    }
  }
  if (::fchownat(dir, name.c_str(), d.uid, d.gid, AT_SYMLINK_NOFOLLOW) != 0)
    throw_errno("chown " + d.path);
  if (::fchmodat(dir, name.c_str(), d.mode & 07777, 0) != 0) throw_errno("chmod " + d.path);
}

void bind_device(int root_fd, const DeviceNode &d) {
  const std::string what = "bind mount device " + d.path;
  unique_fd host(::open(d.path.c_str(), O_PATH | O_CLOEXEC));
  if (!host) throw_errno(what + ": open host " + d.path);
  struct stat st;
  if (::fstat(host.get(), &st) != 0) throw_errno(what);
  if (S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode) || S_ISREG(st.st_mode))
    throw Error(what + ": host " + d.path + " is not a device");
  unique_fd target = mkdir_in_root(root_fd, d.path, true, 0);
  bind_fd(host.get(), target.get(), false, what);
}

// Attaches the runtime's node mount on a scratch directory in /dev, binds
// each node from it, then detaches it again.
void bind_runtime_nodes(int root_fd, const std::vector<DeviceNode> &devs, int nodes_fd) {
  unique_fd dev = mkdir_in_root(root_fd, "/dev", false);
  const char *scratch = ".hull-nodes";
  if (::mkdirat(dev.get(), scratch, 0700) != 0 && errno != EEXIST)
    throw_errno("create /dev/.hull-nodes");
  unique_fd at(::openat(dev.get(), scratch, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!at) throw_errno("open /dev/.hull-nodes");
  attach(nodes_fd, at.get(), "device nodes");
  unique_fd top(::openat(dev.get(), scratch, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!top) throw_errno("open /dev/.hull-nodes");
  for (size_t i = 0; i < devs.size(); ++i) {
    const std::string what = "bind mount device " + devs[i].path;
    unique_fd src(::openat(top.get(), std::to_string(i).c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!src) throw_errno(what);
    unique_fd target = mkdir_in_root(root_fd, devs[i].path, true, 0);
    bind_fd(src.get(), target.get(), false, what);
  }
  if (::umount2(fd_path(top.get()).c_str(), MNT_DETACH) != 0)
    throw_errno("unmount /dev/.hull-nodes");
  top.reset();
  ::unlinkat(dev.get(), scratch, AT_REMOVEDIR);
}

} // namespace

void create_devices(int root_fd, const std::vector<DeviceNode> &devs, bool user_ns, int nodes_fd) {
  if (user_ns && nodes_fd >= 0) {
    bind_runtime_nodes(root_fd, devs, nodes_fd);
    return;
  }
  for (const auto &d : devs) {
    if (user_ns) {
      bind_device(root_fd, d);
      continue;
    }
    auto [parent, name] = split_parent(d.path);
    unique_fd dir;
    try {
      dir = mkdir_in_root(root_fd, parent, false);
    } catch (Error &e) {
      throw e.context("create device " + d.path);
    }
    mknod_device(dir.get(), name, d);
  }
}

void create_dev_links(int root_fd) {
  unique_fd dev = mkdir_in_root(root_fd, "/dev", false);
  // ptmx always points at the devpts instance (runc removes whatever is there).
  if (::unlinkat(dev.get(), "ptmx", 0) != 0 && errno != ENOENT) throw_errno("remove /dev/ptmx");
  if (::symlinkat("pts/ptmx", dev.get(), "ptmx") != 0) throw_errno("symlink /dev/ptmx");
  struct Link {
    const char *target, *name;
  };
  const Link links[] = {{"/proc/self/fd", "fd"},
                        {"/proc/self/fd/0", "stdin"},
                        {"/proc/self/fd/1", "stdout"},
                        {"/proc/self/fd/2", "stderr"}};
  for (const auto &l : links)
    if (::symlinkat(l.target, dev.get(), l.name) != 0 && errno != EEXIST)
      throw_errno(std::string("symlink /dev/") + l.name);
  if (::access("/proc/kcore", F_OK) == 0 && ::symlinkat("/proc/kcore", dev.get(), "core") != 0 &&
      errno != EEXIST)
    throw_errno("symlink /dev/core");
}

void create_console_target(int root_fd) {
  unique_fd dev = mkdir_in_root(root_fd, "/dev", false);
  struct stat st;
  if (::fstatat(dev.get(), "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
      !S_ISCHR(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) throw_err("create /dev/console", EISDIR);
    if (::unlinkat(dev.get(), "console", 0) != 0) throw_errno("remove /dev/console");
  }
  int fd = ::openat(dev.get(), "console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw_errno("create /dev/console");
  ::close(fd);
}

} // namespace hull::sys
