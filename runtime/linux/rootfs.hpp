// The container's filesystem view, built inside the init's mount namespace.
// Owned by the rootfs/mounts part of runtime/linux.
#pragma once

#include <functional>
#include <string>

#include "spec/config.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

struct PlannedMount;

struct RootfsOptions {
  std::string rootfs;     // absolute, symlink-free host path of root.path
  std::string bundle;     // absolute bundle dir (relative mount sources are against it)
  bool no_pivot = false;  // --no-pivot: MS_MOVE + chroot instead of pivot_root
  bool mount_ns = true;   // false: no new mount namespace -> mounts land in the
                          // caller's namespace, chroot instead of pivot_root
  bool user_ns = false;   // in a new user namespace: devices are bind mounts
  bool terminal = false;  // process.terminal: leave a /dev/console target file
  bool cgroup_ns = false; // a new cgroup namespace was created
  // Called by prepare_rootfs after every mount is in place and right before
  // pivot_root/chroot: the init uses it to run the createRuntime (in the
  // runtime) and createContainer (here) hooks, as runtime-spec orders them.
  std::function<void()> before_pivot;
  // In a user namespace: returns the detached source tree of a bind mount
  // (idmapped when asked), made by the runtime, which holds the host's
  // privileges and can reach sources the container's root cannot.
  std::function<unique_fd(const PlannedMount &)> bind_source;
  // In a user namespace: the runtime's mount of device nodes (see
  // userns_devices.hpp), or an empty fd to bind the host's nodes.
  std::function<unique_fd()> device_nodes;
};

// Phase 1, before pivot_root: rootfsPropagation / make-private, bind the
// rootfs onto itself, every config mount (resolved inside the rootfs, never
// following a symlink out of it), /dev (tmpfs, default devices, linux.devices,
// /dev/fd + std* links, /dev/pts + ptmx), then pivot_root (or chroot). Ends with
// cwd = "/" of the new root. Throws hull::Error naming the step
// ("mount proc to /proc: Operation not permitted").
void prepare_rootfs(const spec::Config &c, const RootfsOptions &o);

// Phase 2, after the console is set up: linux.sysctl, maskedPaths,
// readonlyPaths, root.readonly remount, final rootfsPropagation.
void finalize_rootfs(const spec::Config &c, const RootfsOptions &o);

} // namespace hull::sys
