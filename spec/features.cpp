// The runtime-spec features document (features.md), from the tables in
// feature_tables.cpp and a look at which LSMs the host runs.
#include <unistd.h>

#include "hull_version.h"
#include "spec/capabilities.hpp"
#include "spec/feature_tables.hpp"
#include "spec/names.hpp"
#include "spec/spec.hpp"

namespace hull::spec {

namespace {
bool exists(const char *path) {
  return access(path, F_OK) == 0;
}
} // namespace

nlohmann::json features() {
  using nlohmann::json;
  const CgroupSupport &cg = cgroup_support();
  json linux_ = {
      {"namespaces", supported_namespaces()},
      {"capabilities", all_capability_names()},
      {"cgroup",
       {{"v1", cg.v1},
        {"v2", cg.v2},
        {"systemd", cg.systemd},
        {"systemdUser", cg.systemdUser},
        {"rdma", cg.rdma}}},
      {"seccomp",
       {{"enabled", true},
        {"actions", supported_seccomp_actions()},
        {"operators", supported_seccomp_operators()},
        {"archs", supported_seccomp_archs()},
        {"knownFlags", known_seccomp_flags()},
        {"supportedFlags", supported_seccomp_flags()}}},
      {"apparmor", {{"enabled", exists("/sys/kernel/security/apparmor")}}},
      {"selinux", {{"enabled", exists("/sys/fs/selinux/enforce")}}},
      {"intelRdt", {{"enabled", true}, {"schemata", true}, {"monitoring", true}}},
      {"memoryPolicy", {{"modes", known_mempolicy_modes()}, {"flags", known_mempolicy_flags()}}},
      {"netDevices", {{"enabled", true}}},
      {"mountExtensions", {{"idmap", {{"enabled", true}}}}},
  };
  return {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", kSpecVersion},
      {"hooks", known_hook_names()},
      {"mountOptions", supported_mount_options()},
      {"linux", linux_},
      {"annotations",
       {{"run.oci.hull.version", HULL_VERSION}, {"run.oci.hull.commit", HULL_COMMIT}}},
  };
}

} // namespace hull::spec
