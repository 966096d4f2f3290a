// linux.sysctl: which keys a container may set (only namespaced ones, as
// runc allows) and writing them under the container's /proc/sys.
#pragma once

#include <map>
#include <string>

namespace hull::sys {

struct SysctlNamespaces {
  bool ipc = false;
  bool net = false;
  bool uts = false;
};

// Throws hull::Error ("sysctl "vm.swappiness" is not in a separate kernel
// namespace") when the key is not namespaced or its namespace is not
// unshared, or when the key is malformed (empty component, "..", "/").
void check_sysctl(const std::string &key, const SysctlNamespaces &ns);

// "net.ipv4.ip_forward" -> "/proc/sys/net/ipv4/ip_forward".
std::string sysctl_path(const std::string &key);

// Writes value to path inside the current root, refusing anything that is
// not on the real procfs.
void write_sysctl(const std::string &path, const std::string &value);

} // namespace hull::sys
