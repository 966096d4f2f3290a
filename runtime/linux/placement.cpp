#include "linux/placement.hpp"

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

#include "util/error.hpp"

namespace hull::sys {

namespace {

// <linux/mempolicy.h>, spelled out: the uapi header is not always installed.
constexpr int kMpolDefault = 0, kMpolPreferred = 1, kMpolBind = 2, kMpolInterleave = 3,
              kMpolLocal = 4, kMpolPreferredMany = 5, kMpolWeightedInterleave = 6;
constexpr int kMpolFStatic = 1 << 15, kMpolFRelative = 1 << 14, kMpolFNumaBalancing = 1 << 13;
constexpr unsigned kMaxNode = 1023; // CONFIG_NODES_SHIFT is at most 10
constexpr unsigned kMaxCpu = 8191;  // CONFIG_NR_CPUS is at most 8192

int mode_number(const std::string &m) {
  if (m == "MPOL_DEFAULT") return kMpolDefault;
  if (m == "MPOL_PREFERRED") return kMpolPreferred;
  if (m == "MPOL_BIND") return kMpolBind;
  if (m == "MPOL_INTERLEAVE") return kMpolInterleave;
  if (m == "MPOL_LOCAL") return kMpolLocal;
  if (m == "MPOL_PREFERRED_MANY") return kMpolPreferredMany;
  if (m == "MPOL_WEIGHTED_INTERLEAVE") return kMpolWeightedInterleave;
  throw Error("linux.memoryPolicy.mode: invalid memory policy mode \"" + m + "\"");
}

int flag_number(const std::string &f) {
  if (f == "MPOL_F_STATIC_NODES") return kMpolFStatic;
  if (f == "MPOL_F_RELATIVE_NODES") return kMpolFRelative;
  if (f == "MPOL_F_NUMA_BALANCING") return kMpolFNumaBalancing;
  throw Error("linux.memoryPolicy.flags: invalid memory policy flag \"" + f + "\"");
}

void set_affinity(const std::vector<unsigned> &cpus, const std::string &what) {
  if (cpus.empty()) return;
  const size_t n = *std::max_element(cpus.begin(), cpus.end()) + 1;
  cpu_set_t *set = CPU_ALLOC(n);
  const size_t size = CPU_ALLOC_SIZE(n);
  CPU_ZERO_S(size, set);
  for (unsigned c : cpus)
    CPU_SET_S(c, size, set);
  int r = ::sched_setaffinity(0, size, set);
  CPU_FREE(set);
  if (r != 0) throw_errno("sched_setaffinity " + what);
}

} // namespace

std::vector<unsigned> parse_id_list(const std::string &list, unsigned max,
                                    const std::string &field) {
  std::vector<unsigned> out;
  size_t i = 0;
  auto number = [&](unsigned long long &v) {
    size_t start = i;
    v = 0;
    while (i < list.size() && list[i] >= '0' && list[i] <= '9') {
      v = std::min<unsigned long long>(v * 10 + unsigned(list[i] - '0'), ULLONG_MAX / 20);
      ++i;
    }
    if (i == start) throw Error(field + ": invalid list \"" + list + "\"");
    if (v > max)
      throw Error(field + ": " + std::to_string(v) + " is out of range (max " +
                  std::to_string(max) + ")");
  };
  while (i < list.size()) {
    unsigned long long a, b;
    number(a);
    b = a;
    if (i < list.size() && list[i] == '-') {
      ++i;
      number(b);
      if (b < a) throw Error(field + ": invalid range in \"" + list + "\"");
    }
    for (unsigned long long v = a; v <= b; ++v)
      out.push_back(unsigned(v));
    if (i < list.size()) {
      if (list[i] != ',') throw Error(field + ": invalid list \"" + list + "\"");
      ++i;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

MemPolicyPlan plan_memory_policy(const spec::MemoryPolicy &mp) {
  MemPolicyPlan p;
  p.mode = mode_number(mp.mode);
  std::vector<unsigned> nodes;
  try {
    nodes = parse_id_list(mp.nodes, kMaxNode, "linux.memoryPolicy.nodes");
  } catch (const Error &e) {
    throw Error(std::string(e.what()) + ": invalid memory policy node");
  }
  if ((p.mode == kMpolDefault || p.mode == kMpolLocal) && !nodes.empty())
    throw Error("linux.memoryPolicy.nodes: " + mp.mode + " mode requires 0 nodes but got " +
                std::to_string(nodes.size()));
  for (const auto &f : mp.flags)
    p.mode |= flag_number(f);
  if (!nodes.empty()) {
    const unsigned bits = sizeof(unsigned long) * CHAR_BIT;
    p.nodes.assign(nodes.back() / bits + 1, 0);
    for (unsigned n : nodes)
      p.nodes[n / bits] |= 1UL << (n % bits);
    p.maxnode = p.nodes.size() * bits + 1;
  }
  return p;
}

std::vector<unsigned> plan_affinity(const std::string &list, const std::string &field) {
  return parse_id_list(list, kMaxCpu, field);
}

void apply_initial_affinity(const spec::Process *p) {
  // Every CPU: the kernel intersects the mask with what the cpuset allows.
  cpu_set_t *all = CPU_ALLOC(kMaxCpu + 1);
  const size_t size = CPU_ALLOC_SIZE(kMaxCpu + 1);
  for (size_t i = 0; i < size; ++i)
    reinterpret_cast<unsigned char *>(all)[i] = 0xff;
  ::sched_setaffinity(0, size, all); // best effort, as runc
  CPU_FREE(all);
  if (p && p->execCPUAffinity)
    set_affinity(plan_affinity(p->execCPUAffinity->initial, "process.execCPUAffinity.initial"),
                 "process.execCPUAffinity.initial");
}

void apply_final_affinity(const spec::Process &p) {
  if (p.execCPUAffinity)
    set_affinity(plan_affinity(p.execCPUAffinity->final, "process.execCPUAffinity.final"),
                 "process.execCPUAffinity.final");
}

void apply_memory_policy(const spec::Linux *l) {
  if (!l || !l->memoryPolicy) return;
  MemPolicyPlan p = plan_memory_policy(*l->memoryPolicy);
  if (::syscall(SYS_set_mempolicy, p.mode, p.nodes.empty() ? nullptr : p.nodes.data(), p.maxnode) !=
      0)
    throw_errno("set_mempolicy (linux.memoryPolicy)");
}

} // namespace hull::sys
