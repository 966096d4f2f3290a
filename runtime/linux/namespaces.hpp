// Which namespaces the container gets (new or joined) and the code that
// creates/joins them and writes user-namespace maps and time offsets.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "spec/config.hpp"

namespace hull::sys {

struct NsJoin {
  std::string type; // "network", ...
  std::string path;
  int flag = 0; // CLONE_NEW*
};

struct NsPlan {
  unsigned long long clone_flags = 0; // CLONE_NEWUSER / CLONE_NEWPID (must be set at clone)
  int unshare_flags = 0;              // created by the init itself, after placement
  std::vector<NsJoin> joins;          // setns by the init (user first)
  std::string pid_path;               // joined by the parent before clone
  bool new_user = false, new_pid = false, new_mount = false, new_uts = false;
  bool new_net = false, new_ipc = false, new_cgroup = false, new_time = false;
  bool join_user = false;
  bool has(const char *type) const; // new or joined
};

// Pure: namespace type -> CLONE_NEW* (0 when unknown).
int namespace_flag(const std::string &type);
// Pure: the plan for linux.namespaces (nullptr = none).
NsPlan plan_namespaces(const spec::Linux *lnx);

// Parent: writes /proc/<pid>/{uid_map,gid_map} (and setgroups "deny" when
// the caller is not privileged).
void write_id_maps(pid_t pid, const std::vector<spec::IdMapping> &uids,
                   const std::vector<spec::IdMapping> &gids);
// Pure: the text of a map file.
std::string format_id_map(const std::vector<spec::IdMapping> &m);

// Init: setns() into each joined namespace (user first).
void join_namespaces(const std::vector<NsJoin> &joins, bool users);
// Before clone: every linux.namespaces path opens (without blocking: a FIFO)
// and is a namespace of its type; errors name the field.
void check_namespace_paths(const spec::Linux *lnx);
// Init, after unshare(CLONE_NEWTIME): /proc/self/timens_offsets.
void write_time_offsets(const std::map<std::string, spec::TimeOffset> &offsets);

// Init, in a new network namespace: sets "lo" up (runc and crun do; images
// expect 127.0.0.1 to work).
void loopback_up();

} // namespace hull::sys
