#include "container/host_mounts.hpp"

#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <vector>

namespace hull::container {

bool shares_mount_ns(const spec::Config &cfg) {
  if (!cfg.linux_) return true;
  for (const auto &n : cfg.linux_->namespaces)
    if (n.type == "mount") return false;
  return true;
}

void unmount_under(const std::string &rootfs) {
  if (rootfs.empty() || rootfs == "/") return;
  // Stacked mounts need several rounds; stop when a round changes nothing.
  for (int round = 0; round < 8; round++) {
    std::ifstream mi("/proc/self/mountinfo");
    std::vector<std::string> targets;
    std::string line;
    while (std::getline(mi, line)) {
      std::istringstream in(line);
      std::string f;
      for (int i = 0; i < 5 && in >> f; i++) {
      }
      if (f.rfind(rootfs + "/", 0) == 0) targets.push_back(f);
    }
    if (targets.empty()) return;
    bool any = false;
    for (auto it = targets.rbegin(); it != targets.rend(); ++it)
      any |= ::umount2(it->c_str(), MNT_DETACH) == 0;
    if (!any) return;
  }
}

} // namespace hull::container
