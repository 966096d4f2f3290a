// process.rlimits: names -> RLIMIT_* resources (plan), setrlimit (apply).
#include <sys/resource.h>

#include "linux/process_plan.hpp"
#include "util/error.hpp"

namespace hull::sys {

namespace {

struct Named {
  const char *name;
  int resource;
};

constexpr Named kRlimits[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

} // namespace

int rlimit_resource(const std::string &name) {
  for (const auto &r : kRlimits)
    if (name == r.name) return r.resource;
  return -1;
}

std::vector<RlimitStep> plan_rlimits(const std::vector<spec::Rlimit> &rlimits) {
  std::vector<RlimitStep> out;
  for (std::size_t i = 0; i < rlimits.size(); ++i) {
    const auto &r = rlimits[i];
    std::string where = "process.rlimits[" + std::to_string(i) + "]";
    int res = rlimit_resource(r.type);
    if (res < 0) throw Error(where + ".type: unknown rlimit \"" + r.type + "\"");
    if (r.soft > r.hard)
      throw Error(where + ": soft limit " + std::to_string(r.soft) + " of " + r.type +
                  " is above the hard limit " + std::to_string(r.hard));
    out.push_back({r.type, res, r.soft, r.hard});
  }
  return out;
}

void apply_rlimits(const std::vector<spec::Rlimit> &rlimits) {
  for (const auto &s : plan_rlimits(rlimits)) {
    struct rlimit rl {};
    rl.rlim_cur = static_cast<rlim_t>(s.soft);
    rl.rlim_max = static_cast<rlim_t>(s.hard);
    if (setrlimit(static_cast<__rlimit_resource>(s.resource), &rl) != 0)
      throw_errno("setrlimit " + s.name + " soft " + std::to_string(s.soft) + " hard " +
                  std::to_string(s.hard));
  }
}

} // namespace hull::sys
