// process.scheduler (sched_setattr) and process.ioPriority (ioprio_set):
// names -> kernel values (plan) and the two raw syscalls (apply).
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/process_plan.hpp"
#include "util/error.hpp"

namespace hull::sys {

namespace {

// include/uapi/linux/ioprio.h
constexpr int kIoprioClassShift = 13;
constexpr int kIoprioWhoProcess = 1;

struct Named {
  const char *name;
  uint64_t value;
};

// include/uapi/linux/sched.h
constexpr Named kPolicies[] = {
    {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};

constexpr Named kFlags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

// SCHED_ATTR_SIZE_VER1: the struct with the util clamp fields.
constexpr uint32_t kSchedAttrSize = 56;
static_assert(sizeof(SchedAttr) == kSchedAttrSize, "struct sched_attr layout");

} // namespace

int ioprio_value(const spec::IoPriority &io) {
  int cls;
  if (io.ioClass == "IOPRIO_CLASS_RT")
    cls = 1;
  else if (io.ioClass == "IOPRIO_CLASS_BE")
    cls = 2;
  else if (io.ioClass == "IOPRIO_CLASS_IDLE")
    cls = 3;
  else
    throw Error("process.ioPriority.class: unknown class \"" + io.ioClass + "\"");
  if (io.priority < 0 || io.priority > 7)
    throw Error("process.ioPriority.priority: " + std::to_string(io.priority) +
                " is out of range 0-7");
  return (cls << kIoprioClassShift) | io.priority;
}

int sched_policy(const std::string &name) {
  for (const auto &p : kPolicies)
    if (name == p.name) return static_cast<int>(p.value);
  return -1;
}

uint64_t sched_flag(const std::string &name) {
  for (const auto &f : kFlags)
    if (name == f.name) return f.value;
  return 0;
}

SchedAttr build_sched_attr(const spec::Scheduler &s) {
  int policy = sched_policy(s.policy);
  if (policy < 0) throw Error("process.scheduler.policy: unknown policy \"" + s.policy + "\"");
  SchedAttr a{};
  a.size = kSchedAttrSize;
  a.sched_policy = static_cast<uint32_t>(policy);
  for (const auto &f : s.flags) {
    uint64_t v = sched_flag(f);
    if (v == 0) throw Error("process.scheduler.flags: unknown flag \"" + f + "\"");
    a.sched_flags |= v;
  }
  a.sched_nice = s.nice;
  a.sched_priority = static_cast<uint32_t>(s.priority);
  a.sched_runtime = s.runtime;
  a.sched_deadline = s.deadline;
  a.sched_period = s.period;
  // The spec has no util clamp values: -1 asks the kernel to reset the clamp
  // to its default when SCHED_FLAG_UTIL_CLAMP_* is given (ignored otherwise).
  a.sched_util_min = UINT32_MAX;
  a.sched_util_max = UINT32_MAX;
  return a;
}

void apply_io_priority(const spec::IoPriority &io) {
  int v = ioprio_value(io);
  if (syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, v) != 0)
    throw_errno("ioprio_set " + io.ioClass + " " + std::to_string(io.priority));
}

void apply_scheduler(const spec::Scheduler &s) {
  SchedAttr a = build_sched_attr(s);
  if (syscall(SYS_sched_setattr, 0, &a, 0) != 0) {
    // As root we hold CAP_SYS_NICE here; EPERM for a real-time policy then
    // means real-time group scheduling left the cgroup without a budget.
    if (errno == EPERM && (a.sched_policy == 1 || a.sched_policy == 2))
      throw Error("process.scheduler: sched_setattr " + s.policy +
                      ": the container's cgroup has no real-time CPU time "
                      "(set linux.resources.cpu.realtimeRuntime)",
                  EPERM);
    throw_errno("sched_setattr " + s.policy + " priority " + std::to_string(s.priority) + " nice " +
                std::to_string(s.nice));
  }
}

} // namespace hull::sys
