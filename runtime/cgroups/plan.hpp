// Deciding, not doing: turns linux.resources into the ordered list of cgroup
// file writes for one layout, and resolves linux.cgroupsPath like runc. Pure
// functions only (no file system access); the drivers apply the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spec/config.hpp"

namespace hull::cgroups {

enum class Layout { v1, v2 };

// What the driver knows about the host that changes which file gets written.
struct HostFacts {
  bool hugetlb_on_v2 = false; // v1 hybrid: hugetlb is only on the cgroup2 mount
  bool bfq_weight = false;    // the weight file is the bfq one (blkio.bfq.weight / io.bfq.weight)
  bool updating = false;      // hull update (not create): checkBeforeUpdate applies
  bool has_memsw = false;     // v1: the kernel has memory.memsw.* (swap accounting)
  // v1: memory.memsw.limit_in_bytes now (nullopt = unlimited / unknown).
  std::optional<int64_t> current_memsw;
  // memory usage now (for checkBeforeUpdate).
  std::optional<int64_t> current_usage;
};

struct Write {
  std::string controller; // v1 hierarchy ("memory", "cpu", ... "unified" for v2-in-hybrid); v2: ""
  std::string file;       // file name inside the cgroup directory
  std::string value;
  bool best_effort = false;      // deprecated knob (kernel memory): warn instead of failing
  std::string field;             // config field it comes from, named in a failed write's error
  bool retry_after_next = false; // EINVAL: write the next one first, then this again
};

struct Plan {
  std::vector<Write> writes;
  std::vector<std::string> warnings; // settings this layout ignores, said once each
  // v2: the device rules to compile to eBPF (empty = leave devices alone).
  std::vector<spec::DeviceCgroupRule> device_rules;
  bool devices = false; // linux.resources.devices was given (v2: load a program)
};

// Throws hull::Error for settings the layout cannot express (unified on v1,
// realtime on v2, swap without memory ...), naming the field.
Plan plan_resources(const spec::Resources &res, Layout layout, const HostFacts &facts);

// The device rules a container gets, as runc: its linux.resources.devices,
// then the default allow list (mknod of any device; null, zero, full,
// random, urandom, tty unless linux.devices lists that path; console, ptmx,
// pts, tun). linux.devices get no allow rule of their own.
std::vector<spec::DeviceCgroupRule>
effective_device_rules(const std::vector<spec::DeviceCgroupRule> &rules,
                       const std::vector<spec::Device> &linux_devices);
// v1 text for devices.allow/devices.deny: "c 1:3 rwm", "a *:* rwm".
std::string device_rule_text(const spec::DeviceCgroupRule &r);

// runc/crun conversions.
uint64_t shares_to_weight(uint64_t shares);   // cpu.shares -> cpu.weight
uint64_t blkio_weight_to_io(uint64_t weight); // blkio.weight -> io.weight
// memory.swap.max value from OCI swap (memory+swap) and limit; "" = do not write.
std::string v2_swap_value(std::optional<int64_t> swap, std::optional<int64_t> limit);
// "max" for negative, else the number.
std::string limit_text(int64_t v);

// Where the container's cgroup lives, relative to a hierarchy root, like runc:
// absolute cgroupsPath as given; relative (empty = the id) under the caller's
// own cgroup (v1: per hierarchy, own_cgroup of that hierarchy; v2: the parent
// of the caller's cgroup, which has no processes of its own).
std::string clean_cgroup_path(const std::string &p); // "a/../b//c" -> "b/c", keeps a leading '/'
std::string resolve_path(const std::string &id, const std::string &cgroups_path,
                         const std::string &own_cgroup, Layout layout);
// --systemd-cgroup: runc's "slice:prefix:name" mapped onto the cgroupfs
// directories systemd would use ("a-b.slice" -> "/a.slice/a-b.slice/prefix-name.scope").
std::string systemd_cgroup_path(const std::string &id, const std::string &cgroups_path);

} // namespace hull::cgroups
