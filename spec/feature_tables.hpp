// What hull implements, as reported by `hull features` (features.md).
// Each table belongs to the part that implements it; that part adjusts its
// table in feature_tables.cpp when it gains or drops support.
#pragma once

#include "spec/names.hpp"

namespace hull::spec {

const Names &supported_mount_options();     // rootfs part: options parse_mount_options accepts
const Names &supported_namespaces();        // core part
const Names &supported_seccomp_actions();   // seccomp part
const Names &supported_seccomp_operators(); // seccomp part
const Names &supported_seccomp_archs();     // seccomp part: what libseccomp 2.5 resolves
const Names &supported_seccomp_flags();     // seccomp part: flags hull passes to seccomp(2)

struct CgroupSupport {
  bool v1 = true;
  bool v2 = true;
  bool systemd = false;
  bool systemdUser = false;
  bool rdma = true;
};
const CgroupSupport &cgroup_support(); // cgroups part

} // namespace hull::spec
