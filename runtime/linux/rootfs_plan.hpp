// Deciding the container's filesystem: the ordered plan prepare_rootfs and
// finalize_rootfs carry out, built from the config with no side effects.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "linux/mount_options.hpp"
#include "linux/rootfs.hpp"
#include "spec/config.hpp"

namespace hull::sys {

struct PlannedMount {
  std::string destination; // cleaned absolute path inside the container
  std::string source;      // binds: absolute host path; others: as in config
  std::string type;
  MountOptions opts;
  size_t index = 0;                          // position in config.json's mounts
  std::vector<spec::IdMapping> uid_mappings; // idmap/ridmap
  std::vector<spec::IdMapping> gid_mappings;
};

struct DeviceNode {
  std::string path; // absolute inside the container
  char type = 'c';  // c (also for "u"), b, p
  int64_t major = 0;
  int64_t minor = 0;
  uint32_t mode = 0666; // permission bits
  uint32_t uid = 0;
  uint32_t gid = 0;
};

enum class RootSwitch { PivotRoot, MoveRoot, Chroot };

struct RootfsPlan {
  unsigned long tree_propagation = 0; // applied to "/" first, recursively
  bool bind_root = true;              // bind the rootfs onto itself
  std::vector<PlannedMount> mounts;   // config order
  bool setup_dev = false;             // default devices, ptmx, links (no bind at /dev)
  std::vector<DeviceNode> devices;    // default devices, then linux.devices
  bool console = false;               // leave /dev/console for the terminal
  bool dev_readonly = false;          // /dev asked "ro": remounted so after the devices
  RootSwitch root_switch = RootSwitch::PivotRoot;

  // One line per step in execution order ("mount proc to /proc"), for
  // --debug and the unit tests.
  std::vector<std::string> steps() const;
};

struct FinalizePlan {
  std::vector<std::pair<std::string, std::string>> sysctl; // /proc/sys/... path, value
  std::vector<std::string> masked;
  std::vector<std::string> readonly;
  bool root_readonly = false;
  unsigned long root_propagation = 0; // 0: leave as prepare left it
  // Each mount's own propagation options, put back after root_propagation
  // (a recursive one on "/" would otherwise override them).
  std::vector<std::pair<std::string, unsigned long>> mount_propagation;
  std::vector<std::string> steps() const;
};

// Lexically cleans an absolute path ("/a/./b/../c//" -> "/a/c").
std::string clean_path(const std::string &p);

// The six devices runc gives every container (null zero full random urandom tty).
std::vector<DeviceNode> default_devices();

// Throws hull::Error for values it cannot honour (unknown rootfsPropagation).
RootfsPlan plan_rootfs(const spec::Config &c, const RootfsOptions &o);
// Throws hull::Error for a sysctl outside the container's namespaces.
FinalizePlan plan_finalize(const spec::Config &c);

} // namespace hull::sys
