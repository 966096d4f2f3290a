// Doing: the thin kernel-facing steps that carry out a planned mount. Every
// target is an fd resolved inside the rootfs (never a path the kernel could
// resolve through a symlink out of it).
#pragma once

#include <string>

#include "linux/rootfs.hpp"
#include "linux/rootfs_plan.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

// "/proc/self/fd/N": lets mount(2) act on exactly the object fd refers to.
std::string fd_path(int fd);

// Performs one config mount inside root_fd (the rootfs, before pivot_root).
void mount_entry(int root_fd, const PlannedMount &m, const RootfsOptions &o);

// MS_REMOUNT|MS_BIND|flags on the mount at fd, keeping the flags the kernel
// locks on the source so a user namespace does not get EPERM.
void bind_remount(int fd, const std::string &shown, const MountOptions &opts);

// Bind (clone) the object at src_fd onto target_fd with open_tree +
// move_mount; recursive = rbind.
void bind_fd(int src_fd, int target_fd, bool recursive, const std::string &what);

// A new, detached filesystem (fsopen/fsconfig/fsmount); `flags` are MS_*
// flags, `data` the comma separated options. Returns the mount fd.
unique_fd new_fs(const std::string &type, const std::string &source, unsigned long flags,
                 const std::string &data, const std::string &what);

// Attach a detached mount fd onto target_fd.
void attach(int mnt_fd, int target_fd, const std::string &what);

// Throws unless the filesystem at fd has statfs magic `magic`.
void check_fs_magic(int fd, long magic, const std::string &fs, const std::string &dest);

// mount_setattr on fd (AT_EMPTY_PATH [| AT_RECURSIVE]).
void set_attrs(int fd, uint64_t set, uint64_t clr, bool recursive, const std::string &what);

} // namespace hull::sys
