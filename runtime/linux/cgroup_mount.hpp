// The "cgroup" mount type. With a cgroup namespace the cgroup filesystems are
// mounted directly; without one, the container gets a tmpfs holding a bind
// of its own cgroup in each hierarchy (cgroup v1, as runc), or a bind of its
// cgroup v2 directory.
#pragma once

#include <string>
#include <vector>

#include "linux/rootfs.hpp"
#include "linux/rootfs_plan.hpp"

namespace hull::sys {

struct CgroupHierarchy {
  std::string mountpoint;               // host path, e.g. /sys/fs/cgroup/cpu,cpuacct
  std::string root;                     // mountinfo field 4 (root of the mount in the fs)
  bool v2 = false;                      // cgroup2 (e.g. the hybrid "unified" mount)
  std::vector<std::string> controllers; // v1: cpu, cpuacct / name=systemd
  std::string cgroup;                   // this process's cgroup in it (/proc/self/cgroup)

  std::string name() const;        // basename(mountpoint): the entry under the destination
  std::string bind_source() const; // mountpoint + (cgroup relative to root)
};

// Parses /proc/self/mountinfo and /proc/self/cgroup text into the
// hierarchies mounted on the host, in mountinfo order. Pure.
std::vector<CgroupHierarchy> parse_cgroup_hierarchies(const std::string &mountinfo,
                                                      const std::string &proc_cgroup);

// The symlinks runc adds for combined v1 hierarchies: {"cpu", "cpu,cpuacct"}.
std::vector<std::pair<std::string, std::string>>
cgroup_symlinks(const std::vector<CgroupHierarchy> &hs);

void mount_cgroup(int root_fd, const PlannedMount &m, const RootfsOptions &o);

} // namespace hull::sys
