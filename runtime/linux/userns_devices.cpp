#include "linux/userns_devices.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "linux/mount_ns.hpp"
#include "linux/mounts.hpp"
#include "util/error.hpp"

namespace hull::sys {

uint32_t map_to_host(const std::vector<spec::IdMapping> &maps, uint32_t id,
                     const std::string &field) {
  for (const auto &m : maps)
    if (id >= m.containerID && id - m.containerID < m.size) return m.hostID + (id - m.containerID);
  throw Error(field + ": " + std::to_string(id) + " is not mapped in the user namespace");
}

unique_fd device_nodes_for(pid_t pid, const spec::Config &c, const std::string &bundle) {
  RootfsOptions o;
  o.bundle = bundle;
  const RootfsPlan plan = plan_rootfs(c, o);
  const auto &l = *c.linux_;
  return in_mount_ns(pid, [&] {
    unique_fd mnt =
        new_fs("tmpfs", "hull-devices", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k", "device nodes");
    for (size_t i = 0; i < plan.devices.size(); ++i) {
      const DeviceNode &d = plan.devices[i];
      const std::string name = std::to_string(i), what = "create device " + d.path;
      const mode_t type = d.type == 'b' ? S_IFBLK : d.type == 'p' ? S_IFIFO : S_IFCHR;
      const dev_t rdev =
          d.type == 'p' ? 0
                        : makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
      if (::mknodat(mnt.get(), name.c_str(), type | 0600, rdev) != 0) throw_errno(what);
      if (::fchownat(mnt.get(), name.c_str(), map_to_host(l.uidMappings, d.uid, what + ": uid"),
                     map_to_host(l.gidMappings, d.gid, what + ": gid"), 0) != 0)
        throw_errno("chown " + d.path);
      if (::fchmodat(mnt.get(), name.c_str(), d.mode & 07777, 0) != 0)
        throw_errno("chmod " + d.path);
    }
    return mnt;
  });
}

} // namespace hull::sys
