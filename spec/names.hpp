// Name tables of runtime-spec v1.3.0 values. Two kinds:
//  - known_*: every value the spec defines; validate() rejects anything else.
//  - supported_* (in features.cpp's tables): what hull implements, reported
//    by `hull features`. The part that implements a feature adjusts its table.
#pragma once

#include <string>
#include <vector>

namespace hull::spec {

using Names = std::vector<std::string>;

bool contains(const Names &names, const std::string &value);

const Names &known_namespace_types();     // pid network mount ipc uts user cgroup time
const Names &known_rlimits();             // RLIMIT_*
const Names &known_seccomp_actions();     // SCMP_ACT_*
const Names &known_seccomp_operators();   // SCMP_CMP_*
const Names &known_seccomp_archs();       // SCMP_ARCH_*
const Names &known_seccomp_flags();       // SECCOMP_FILTER_FLAG_*
const Names &known_ioprio_classes();      // IOPRIO_CLASS_*
const Names &known_sched_policies();      // SCHED_*
const Names &known_sched_flags();         // SCHED_FLAG_*
const Names &known_mempolicy_modes();     // MPOL_*
const Names &known_mempolicy_flags();     // MPOL_F_*
const Names &known_personality_domains(); // LINUX LINUX32
const Names &known_rootfs_propagations(); // private shared slave unbindable (+ r* forms)
const Names &known_hook_names();          // prestart createRuntime ... poststop

} // namespace hull::spec
