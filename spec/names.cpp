#include "spec/names.hpp"

#include <algorithm>

namespace hull::spec {

bool contains(const Names &names, const std::string &value) {
  return std::find(names.begin(), names.end(), value) != names.end();
}

const Names &known_namespace_types() {
  static const Names n = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"};
  return n;
}

const Names &known_rlimits() {
  static const Names n = {"RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",        "RLIMIT_DATA",
                          "RLIMIT_FSIZE",  "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK",    "RLIMIT_MSGQUEUE",
                          "RLIMIT_NICE",   "RLIMIT_NOFILE", "RLIMIT_NPROC",      "RLIMIT_RSS",
                          "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"};
  return n;
}

const Names &known_seccomp_actions() {
  static const Names n = {"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                          "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
                          "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};
  return n;
}

const Names &known_seccomp_operators() {
  static const Names n = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                          "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  return n;
}

const Names &known_seccomp_archs() {
  static const Names n = {
      "SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",         "SCMP_ARCH_ARM",
      "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",
      "SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
      "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",
      "SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",     "SCMP_ARCH_LOONGARCH64",
      "SCMP_ARCH_M68K",    "SCMP_ARCH_SH",       "SCMP_ARCH_SHEB"};
  return n;
}

const Names &known_seccomp_flags() {
  static const Names n = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                          "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                          "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
  return n;
}

const Names &known_ioprio_classes() {
  static const Names n = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
  return n;
}

const Names &known_sched_policies() {
  static const Names n = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                          "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE"};
  return n;
}

const Names &known_sched_flags() {
  static const Names n = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                          "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
                          "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN",
                          "SCHED_FLAG_UTIL_CLAMP_MAX"};
  return n;
}

const Names &known_mempolicy_modes() {
  static const Names n = {
      "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
      "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"};
  return n;
}

const Names &known_mempolicy_flags() {
  static const Names n = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"};
  return n;
}

const Names &known_personality_domains() {
  static const Names n = {"LINUX", "LINUX32"};
  return n;
}

const Names &known_rootfs_propagations() {
  // The spec names the first four; runc also accepts the recursive forms.
  static const Names n = {"private",  "shared",  "slave",  "unbindable",
                          "rprivate", "rshared", "rslave", "runbindable"};
  return n;
}

const Names &known_hook_names() {
  static const Names n = {"prestart",       "createRuntime", "createContainer",
                          "startContainer", "poststart",     "poststop"};
  return n;
}

} // namespace hull::spec
