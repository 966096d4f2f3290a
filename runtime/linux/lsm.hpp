// Linux security modules: AppArmor profiles and SELinux labels for the
// container process, and linux.mountLabel. Owned by the security part.
//
// The lead calls:
//   parent, before clone:  check_lsm_requests(config)   (throws, clear text)
//   rootfs part, mounts:   mount_label(config)           ("" = add no context=)
//   init, after the mounts and pivot_root, before set_user and
//   apply_no_new_privs:    apply_exec_labels(process)    (effective at execve)
#pragma once

#include <optional>
#include <string>

#include "spec/config.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

// Host detection (reads /sys; cached after the first call).
bool apparmor_enabled();
bool selinux_enabled();

// Deciding (pure): the error for an LSM request the host cannot honour, or
// nullopt. Wording: `apparmor profile "x" requested but AppArmor is not
// enabled on this host` / `selinux label "x" requested but SELinux is not
// enabled on this host`.
std::optional<std::string> lsm_request_error(const spec::Config &c, bool apparmor, bool selinux);

// Parent, before clone: throws hull::Error with lsm_request_error's text.
void check_lsm_requests(const spec::Config &c);

// linux.mountLabel to apply as the context= mount option, or "" when none
// was asked or SELinux is off (then it is dropped with a debug line, as crun
// does).
std::string mount_label(const spec::Config &c);
std::string mount_label(const spec::Config &c, bool selinux);

// Init: writes "exec <apparmorProfile>" to attr/apparmor/exec (fallback
// attr/exec) and selinuxLabel to attr/exec of the calling thread, both
// opened through open_real_procfs() so a fake /proc in the rootfs cannot
// swallow them (CVE-2025-52881). No-op when neither is set. Throws hull::Error.
void apply_exec_labels(const spec::Process &p);

// A procfs root that is known to be real: a private detached procfs instance
// (fsopen/fsmount) when the caller may create one, else /proc after checking
// it is the root inode of a procfs. Throws hull::Error.
unique_fd open_real_procfs();

// Opens `rel` (e.g. "thread-self/attr/exec") beneath a real procfs root
// without crossing mounts or following magic links, and checks that the
// result is on procfs. Throws hull::Error.
unique_fd open_in_procfs(int proc_root, const std::string &rel, int flags);

} // namespace hull::sys
