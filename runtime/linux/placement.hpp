// Where the container process runs and allocates: linux.memoryPolicy
// (set_mempolicy) and process.execCPUAffinity (sched_setaffinity). Deciding
// (the plan functions, pure) apart from doing (apply_*).
#pragma once

#include <string>
#include <vector>

#include "spec/config.hpp"

namespace hull::sys {

// "0-3,7" -> {0,1,2,3,7}. Throws hull::Error naming `field` on bad syntax or
// a number above `max`.
std::vector<unsigned> parse_id_list(const std::string &list, unsigned max,
                                    const std::string &field);

struct MemPolicyPlan {
  int mode = 0;                     // MPOL_* | MPOL_F_* flags, for set_mempolicy
  std::vector<unsigned long> nodes; // nodemask words (empty: NULL)
  unsigned long maxnode = 0;        // bits the kernel reads
};
// Throws hull::Error naming linux.memoryPolicy.* for what runc refuses (a
// mode that takes no nodes given some, a node number out of range).
MemPolicyPlan plan_memory_policy(const spec::MemoryPolicy &mp);

// CPU numbers for an execCPUAffinity entry (empty string: none).
std::vector<unsigned> plan_affinity(const std::string &list, const std::string &field);

// In the init (and exec'd process), once in the container's cgroup and
// before any setup code runs: affinity back to every CPU the cgroup allows
// (a `taskset` on the caller must not leak in, as runc), then
// execCPUAffinity.initial.
void apply_initial_affinity(const spec::Process *p);
// Right before execve: execCPUAffinity.final.
void apply_final_affinity(const spec::Process &p);
// linux.memoryPolicy, inherited across execve.
void apply_memory_policy(const spec::Linux *l);

} // namespace hull::sys
