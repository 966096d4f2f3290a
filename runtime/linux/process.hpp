// Per-process attributes applied by the init right before exec.
// Owned by the process part of runtime/linux (caps via libcap).
#pragma once

#include <string>
#include <vector>

#include "spec/config.hpp"

namespace hull::sys {

// Privileged attributes, applied while still root in the container:
// rlimits, oomScoreAdj, ioPriority, scheduler, personality (linux.personality).
void apply_process_attrs(const spec::Process &p, const spec::Linux *lnx);

// Drops every capability not in p.capabilities.bounding from the bounding set
// (needs CAP_SETPCAP, so it runs before set_user).
void drop_bounding_set(const spec::Process &p);

// setgroups(additionalGids) / setgid / setuid, keeping capabilities across the
// switch (PR_SET_KEEPCAPS), and process.user.umask (default 0022).
void set_user(const spec::Process &p);

// One warning line naming the capabilities of p that are not applied
// (unknown names, or above the kernel's last cap); nothing when there are none.
// create and exec call it once, before anything starts.
void warn_ignored_capabilities(const spec::Process &p);

// Sets effective/permitted/inheritable, then the ambient set.
void apply_capabilities(const spec::Process &p);

// Use instead of apply_capabilities when a seccomp filter is loaded later:
// without p.noNewPrivileges, seccomp(2) needs CAP_SYS_ADMIN in the effective
// set, so this keeps CAP_SYS_ADMIN in effective+permitted on top of the
// configured sets. execve then drops it: with no_new_privs off, the sets
// after exec come from bounding, inheritable, ambient, the uid and file caps,
// never from the permitted set before exec. With p.noNewPrivileges it is
// exactly apply_capabilities (seccomp needs no capability then).
void apply_capabilities_for_seccomp(const spec::Process &p);

// Drops duplicate env entries (the last wins) and adds HOME from the
// process user's entry in /etc/passwd of the current root ("/" when none)
// unless env sets it, as runc does. Call as root after entering the rootfs.
void prepare_env(spec::Process &p);

// prctl(PR_SET_NO_NEW_PRIVS) when p.noNewPrivileges.
void apply_no_new_privs(const spec::Process &p);

// Resolves args[0] against PATH from p.env (like execvp, but inside the
// container after pivot_root). Throws hull::Error "exec: \"x\": executable file
// not found in $PATH" like runc.
std::string find_executable(const spec::Process &p);

// Capability name ("CAP_SYS_ADMIN") -> number, -1 when unknown. Pure.
int capability_from_name(const std::string &name);

} // namespace hull::sys
