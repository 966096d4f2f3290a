#include "linux/mounts.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "linux/cgroup_mount.hpp"
#include "linux/idmap.hpp"
#include "linux/tmpcopyup.hpp"
#include "util/error.hpp"
#include "util/safe_path.hpp"

namespace hull::sys {

namespace {

// Destinations under /proc that may be overmounted (lxcfs-style files), as
// runc allows; anything else there could hide or redirect procfs.
bool allowed_under_proc(const std::string &d) {
  static const char *ok[] = {"/proc/cpuinfo",
                             "/proc/diskstats",
                             "/proc/meminfo",
                             "/proc/stat",
                             "/proc/swaps",
                             "/proc/uptime",
                             "/proc/loadavg",
                             "/proc/slabinfo",
                             "/proc/sys/kernel/ns_last_pid",
                             "/proc/sys/crypto/fips_enabled"};
  return std::find(std::begin(ok), std::end(ok), d) != std::end(ok);
}

std::string kind_of(const PlannedMount &m) {
  return m.opts.bind() ? "bind mount " + m.source : "mount " + m.type;
}

void apply_propagation(int fd, const PlannedMount &m) {
  for (unsigned long p : m.opts.propagation)
    if (::mount(nullptr, fd_path(fd).c_str(), nullptr, p, nullptr) != 0)
      throw_errno("set propagation of " + m.destination);
}

// tree: the source already cloned (open_tree), or empty to bind m.source.
void mount_bind(int root_fd, int target_fd, const PlannedMount &m, unique_fd tree) {
  const bool rec = (m.opts.flags & MS_REC) != 0;
  const std::string what = kind_of(m) + " to " + m.destination;
  if (tree) {
    attach(tree.get(), target_fd, what);
  } else if (::mount(m.source.c_str(), fd_path(target_fd).c_str(), nullptr,
                     MS_BIND | (rec ? MS_REC : 0), nullptr) != 0) {
    throw_errno(what);
  }
  if (m.opts.bind_remount_flags() == 0 && m.opts.propagation.empty() && !m.opts.recursive_attrs())
    return; // nothing to change on the new mount: no need to open it
  unique_fd top = open_in_root(root_fd, m.destination, O_PATH);
  if (m.opts.bind_remount_flags() != 0) bind_remount(top.get(), m.destination, m.opts);
  apply_propagation(top.get(), m);
  if (m.opts.recursive_attrs()) set_attrs(top.get(), m.opts.attr_set, m.opts.attr_clr, true, what);
}

// The mount data string without its gid= option.
std::string without_gid_option(const std::string &data) {
  std::string out;
  size_t i = 0;
  while (i <= data.size()) {
    size_t j = data.find(',', i);
    if (j == std::string::npos) j = data.size();
    std::string kv = data.substr(i, j - i);
    if (!kv.empty() && kv.rfind("gid=", 0) != 0) out += (out.empty() ? "" : ",") + kv;
    i = j + 1;
  }
  return out;
}

void mount_fs(int root_fd, int target_fd, const PlannedMount &m, const RootfsOptions &o) {
  const std::string what = kind_of(m) + " to " + m.destination;
  if (m.opts.idmap) throw Error(what + ": idmap is only supported on bind mounts");
  unsigned long flags = m.opts.flags;
  if (m.opts.tmpcopyup && m.type == "tmpfs" && !(flags & MS_REMOUNT)) {
    tmpcopyup_mount(root_fd, target_fd, m);
  } else if (::mount(m.source.c_str(), fd_path(target_fd).c_str(), m.type.c_str(), flags,
                     m.opts.data.empty() ? nullptr : m.opts.data.c_str()) != 0) {
    int err = errno;
    std::string nogid = without_gid_option(m.opts.data);
    if (m.type == "devpts" && o.user_ns && err == EINVAL && nogid != m.opts.data &&
        ::mount(m.source.c_str(), fd_path(target_fd).c_str(), m.type.c_str(), flags,
                nogid.empty() ? nullptr : nogid.c_str()) == 0) {
      // gid=5 (tty) is not mapped in this user namespace: the pts nodes then
      // belong to the namespace's own group, as with crun.
    } else {
      if (m.type == "sysfs" && o.user_ns && (err == EPERM || err == EBUSY)) {
        // No network namespace of our own: sysfs cannot be mounted from a user
        // namespace, so bind the host's (read-only) like runc.
        unique_fd sys(::open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!sys) throw_errno("open /sys");
        bind_fd(sys.get(), target_fd, true, what);
        unique_fd top = open_in_root(root_fd, m.destination, O_PATH);
        MountOptions ro = m.opts;
        ro.flags |= MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        bind_remount(top.get(), m.destination, ro);
        return;
      }
      throw_err(what, err);
    }
  }
  const bool check = m.type == "proc" || m.type == "sysfs";
  if (!check && m.opts.propagation.empty() && !m.opts.recursive_attrs())
    return; // nothing to verify or change on the new mount: no need to open it
  unique_fd top = open_in_root(root_fd, m.destination, O_PATH);
  if (m.type == "proc") check_fs_magic(top.get(), PROC_SUPER_MAGIC, "procfs", m.destination);
  if (m.type == "sysfs") check_fs_magic(top.get(), SYSFS_MAGIC, "sysfs", m.destination);
  apply_propagation(top.get(), m);
  if (m.opts.recursive_attrs()) set_attrs(top.get(), m.opts.attr_set, m.opts.attr_clr, true, what);
}

// procfs and sysfs only go onto a real directory: a symlink there (even one
// that stays inside the rootfs) is how CVE-2019-16884/19921 style attacks
// start, so it is refused rather than followed.
void refuse_non_dir(int root_fd, const PlannedMount &m) {
  const auto slash = m.destination.rfind('/');
  std::string parent = m.destination.substr(0, slash);
  if (parent.empty()) parent.push_back('/');
  const std::string name = m.destination.substr(slash + 1);
  unique_fd dir;
  try {
    dir = open_in_root(root_fd, parent, O_PATH | O_DIRECTORY);
  } catch (const Error &e) {
    if (e.err() == ENOENT) return; // created below
    throw Error(kind_of(m) + " to " + m.destination + ": " + e.what());
  }
  struct stat st;
  if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (!S_ISDIR(st.st_mode))
    throw Error(kind_of(m) + " to " + m.destination + ": filesystem \"" + m.type +
                "\" must be mounted on ordinary directory");
}

bool source_is_dir(const PlannedMount &m) {
  struct stat st;
  if (::stat(m.source.c_str(), &st) != 0)
    throw_errno(kind_of(m) + " to " + m.destination + ": stat " + m.source);
  return S_ISDIR(st.st_mode);
}

} // namespace

std::string fd_path(int fd) {
  return "/proc/self/fd/" + std::to_string(fd);
}

void check_fs_magic(int fd, long magic, const std::string &fs, const std::string &dest) {
  struct statfs sf;
  if (::fstatfs(fd, &sf) != 0) throw_errno("statfs " + dest);
  if (static_cast<long>(sf.f_type) != magic)
    throw Error("mount " + fs + " to " + dest + ": target is not " + fs + " after mounting");
}

void set_attrs(int fd, uint64_t set, uint64_t clr, bool recursive, const std::string &what) {
  struct mount_attr a = {};
  a.attr_set = set;
  a.attr_clr = clr;
  if (::mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof a) != 0)
    throw_errno(what + ": mount_setattr");
}

void bind_remount(int fd, const std::string &shown, const MountOptions &opts) {
  struct statvfs sv;
  if (::fstatvfs(fd, &sv) != 0) throw_errno("statvfs " + shown);
  const unsigned long base = MS_REMOUNT | MS_BIND | opts.bind_remount_flags();
  const std::string p = fd_path(fd);
  if (::mount(nullptr, p.c_str(), nullptr, base | locked_flags_to_keep(sv.f_flag, opts), nullptr) ==
      0)
    return;
  int err = errno;
  const unsigned long atime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME;
  if (err == EPERM &&
      ::mount(nullptr, p.c_str(), nullptr,
              (base & ~atime) | locked_flags_to_keep(sv.f_flag, opts, true), nullptr) == 0)
    return;
  throw_err("remount " + shown, err);
}

void bind_fd(int src_fd, int target_fd, bool recursive, const std::string &what) {
  unique_fd tree(::open_tree(src_fd, "",
                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                 (recursive ? AT_RECURSIVE : 0)));
  if (!tree) throw_errno(what + ": open_tree");
  attach(tree.get(), target_fd, what);
}

void attach(int mnt_fd, int target_fd, const std::string &what) {
  if (::move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) !=
      0)
    throw_errno(what + ": move_mount");
}

unique_fd new_fs(const std::string &type, const std::string &source, unsigned long flags,
                 const std::string &data, const std::string &what) {
  unique_fd fs(::fsopen(type.c_str(), FSOPEN_CLOEXEC));
  if (!fs) throw_errno(what + ": fsopen");
  if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0) != 0)
    throw_errno(what + ": fsconfig source");
  auto flag = [&](const char *k) {
    if (::fsconfig(fs.get(), FSCONFIG_SET_FLAG, k, nullptr, 0) != 0)
      throw_errno(what + ": fsconfig " + k);
  };
  if (flags & MS_SYNCHRONOUS) flag("sync");
  if (flags & MS_DIRSYNC) flag("dirsync");
  if (flags & MS_LAZYTIME) flag("lazytime");
  if (flags & MS_MANDLOCK) flag("mand");
  size_t i = 0;
  while (i < data.size()) {
    size_t j = data.find(',', i);
    if (j == std::string::npos) j = data.size();
    std::string kv = data.substr(i, j - i);
    i = j + 1;
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      flag(kv.c_str());
    } else {
      std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
      if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, k.c_str(), v.c_str(), 0) != 0)
        throw_errno(what + ": fsconfig " + kv);
    }
  }
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    throw_errno(what + ": fsconfig create");
  unsigned int attrs = 0;
  if (flags & MS_RDONLY) attrs |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID) attrs |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV) attrs |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC) attrs |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NOATIME) attrs |= MOUNT_ATTR_NOATIME;
  if (flags & MS_STRICTATIME) attrs |= MOUNT_ATTR_STRICTATIME;
  if (flags & MS_NODIRATIME) attrs |= MOUNT_ATTR_NODIRATIME;
  if (flags & MS_NOSYMFOLLOW) attrs |= MOUNT_ATTR_NOSYMFOLLOW;
  unique_fd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, attrs));
  if (!mnt) throw_errno(what + ": fsmount");
  return mnt;
}

void mount_entry(int root_fd, const PlannedMount &m, const RootfsOptions &o) {
  const std::string &d = m.destination;
  if (d == "/") throw Error(kind_of(m) + " to /: mounting over the rootfs is not allowed");
  if (d == "/proc" && m.type != "proc" && !m.opts.bind())
    throw Error(kind_of(m) + " to /proc: only procfs may be mounted there");
  if (d.rfind("/proc/", 0) == 0 && !allowed_under_proc(d))
    throw Error(kind_of(m) + " to " + d + ": mount destination under /proc is not allowed");
  if (m.type == "cgroup" || m.type == "cgroup2") {
    mount_cgroup(root_fd, m, o);
    return;
  }
  if (m.type == "proc" || m.type == "sysfs") refuse_non_dir(root_fd, m);
  // In a user namespace the runtime opens bind sources (the container's
  // root may not reach them, and only the host can idmap them), as runc.
  unique_fd tree;
  if (m.opts.bind() && o.bind_source)
    tree = o.bind_source(m);
  else if (m.opts.bind() && m.opts.idmap)
    tree = idmapped_tree(m);
  struct stat st;
  if (tree && ::fstat(tree.get(), &st) != 0) throw_errno(kind_of(m) + " to " + d);
  const bool as_file = m.opts.bind() && !(tree ? S_ISDIR(st.st_mode) : source_is_dir(m));
  unique_fd target;
  try {
    target = mkdir_in_root(root_fd, d, as_file);
  } catch (Error &e) {
    throw e.context(kind_of(m) + " to " + d);
  }
  if (m.opts.bind())
    mount_bind(root_fd, target.get(), m, std::move(tree));
  else
    mount_fs(root_fd, target.get(), m, o);
}

} // namespace hull::sys
