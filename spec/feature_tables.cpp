#include "spec/feature_tables.hpp"

namespace hull::spec {

const Names &supported_mount_options() {
  static const Names n = {"acl",
                          "async",
                          "atime",
                          "bind",
                          "defaults",
                          "dev",
                          "diratime",
                          "dirsync",
                          "exec",
                          "idmap",
                          "iversion",
                          "lazytime",
                          "loud",
                          "mand",
                          "noacl",
                          "noatime",
                          "nodev",
                          "nodiratime",
                          "noexec",
                          "noiversion",
                          "nolazytime",
                          "nomand",
                          "norelatime",
                          "nostrictatime",
                          "nosuid",
                          "nosymfollow",
                          "private",
                          "ratime",
                          "rbind",
                          "rdev",
                          "rdiratime",
                          "relatime",
                          "remount",
                          "rexec",
                          "ridmap",
                          "rnoatime",
                          "rnodev",
                          "rnodiratime",
                          "rnoexec",
                          "rnorelatime",
                          "rnostrictatime",
                          "rnosuid",
                          "rnosymfollow",
                          "ro",
                          "rprivate",
                          "rrelatime",
                          "rro",
                          "rrw",
                          "rshared",
                          "rslave",
                          "rstrictatime",
                          "rsuid",
                          "rsymfollow",
                          "runbindable",
                          "rw",
                          "shared",
                          "silent",
                          "slave",
                          "strictatime",
                          "suid",
                          "symfollow",
                          "sync",
                          "unbindable"};
  return n;
}

const Names &supported_namespaces() {
  static const Names n = {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"};
  return n;
}

const Names &supported_seccomp_actions() {
  static const Names n = {"SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO",       "SCMP_ACT_KILL",
                          "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                          "SCMP_ACT_NOTIFY",       "SCMP_ACT_TRACE",       "SCMP_ACT_TRAP"};
  return n;
}

const Names &supported_seccomp_operators() {
  static const Names n = {"SCMP_CMP_EQ", "SCMP_CMP_GE",        "SCMP_CMP_GT", "SCMP_CMP_LE",
                          "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"};
  return n;
}

const Names &supported_seccomp_archs() {
  static const Names n = {"SCMP_ARCH_AARCH64",  "SCMP_ARCH_ARM",         "SCMP_ARCH_MIPS",
                          "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL",
                          "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
                          "SCMP_ARCH_PPC64",    "SCMP_ARCH_PPC64LE",     "SCMP_ARCH_RISCV64",
                          "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",       "SCMP_ARCH_X32",
                          "SCMP_ARCH_X86",      "SCMP_ARCH_X86_64"};
  return n;
}

const Names &supported_seccomp_flags() {
  // WAIT_KILLABLE_RECV needs libseccomp >= 2.6 (Debian 12 has 2.5.4).
  static const Names n = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                          "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  return n;
}

const CgroupSupport &cgroup_support() {
  static const CgroupSupport c;
  return c;
}

} // namespace hull::spec
