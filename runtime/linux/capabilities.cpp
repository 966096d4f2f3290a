// Capabilities: the five sets of process.capabilities, through libcap.
// plan_capabilities decides (names -> numbers, what to drop, which ambient
// caps the kernel would accept); drop_bounding_set / apply_capabilities do.
#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "linux/process.hpp"
#include "linux/process_plan.hpp"
#include "spec/capabilities.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace hull::sys {

int capability_from_name(const std::string &name) {
  return spec::capability_number(name);
}

namespace {

// Names of one set -> sorted unique numbers <= last_cap; unknown names and
// those above last_cap are left out (ignored_capabilities names them).
std::vector<int> to_numbers(const std::vector<std::string> &names, int last_cap) {
  std::vector<int> out;
  for (const auto &n : names) {
    int c = capability_from_name(n);
    if (c < 0 || c > last_cap) continue;
    out.push_back(c);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool has(const std::vector<int> &sorted, int c) {
  return std::binary_search(sorted.begin(), sorted.end(), c);
}

std::string cap_name(int c) {
  char *n = cap_to_name(static_cast<cap_value_t>(c));
  std::string s = n ? n : std::to_string(c);
  cap_free(n);
  return s;
}

// The kernel's last capability: /proc/sys/kernel/cap_last_cap, or probing the
// bounding set when /proc is not there (PR_CAPBSET_READ fails for unknown caps).
int kernel_last_cap() {
  std::ifstream f("/proc/sys/kernel/cap_last_cap");
  if (f) {
    std::stringstream ss;
    ss << f.rdbuf();
    int v = parse_last_cap(ss.str());
    if (v >= 0) return v;
  }
  int c = 0;
  while (c < 64 && prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0)
    ++c;
  return c;
}

struct CapT {
  cap_t c;
  explicit CapT(cap_t v) : c(v) {}
  ~CapT() {
    if (c) cap_free(c);
  }
  CapT(const CapT &) = delete;
  CapT &operator=(const CapT &) = delete;
};

void set_flag(cap_t caps, cap_flag_t which, const std::vector<int> &values) {
  if (values.empty()) return;
  std::vector<cap_value_t> v(values.begin(), values.end());
  if (cap_set_flag(caps, which, static_cast<int>(v.size()), v.data(), CAP_SET) != 0)
    throw_errno("cap_set_flag");
}

} // namespace

int parse_last_cap(const std::string &text) {
  std::size_t pos = 0;
  while (pos < text.size() && text[pos] == ' ')
    ++pos;
  if (pos == text.size() || text[pos] < '0' || text[pos] > '9') return -1;
  int v = 0;
  for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
    v = v * 10 + (text[pos] - '0');
    if (v > 1023) return -1;
  }
  for (; pos < text.size(); ++pos)
    if (text[pos] != '\n' && text[pos] != ' ') return -1;
  return v;
}

CapPlan plan_capabilities(const std::optional<spec::Capabilities> &caps, int last_cap) {
  CapPlan p;
  spec::Capabilities none;
  const spec::Capabilities &c = caps ? *caps : none;
  auto bounding = to_numbers(c.bounding, last_cap);
  p.effective = to_numbers(c.effective, last_cap);
  p.permitted = to_numbers(c.permitted, last_cap);
  p.inheritable = to_numbers(c.inheritable, last_cap);
  for (int a : to_numbers(c.ambient, last_cap)) {
    if (has(p.permitted, a) && has(p.inheritable, a))
      p.ambient.push_back(a);
    else
      p.skipped_ambient.push_back(a);
  }
  for (int i = 0; i <= last_cap; ++i)
    if (!has(bounding, i)) p.drop_bounding.push_back(i);
  return p;
}

std::vector<std::string> ignored_capabilities(const std::optional<spec::Capabilities> &caps,
                                              int last_cap) {
  std::vector<std::string> out;
  if (!caps) return out;
  for (const auto *set :
       {&caps->bounding, &caps->effective, &caps->permitted, &caps->inheritable, &caps->ambient})
    for (const auto &n : *set) {
      int c = capability_from_name(n);
      if (c < 0 || c > last_cap) out.push_back(n);
    }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void warn_ignored_capabilities(const spec::Process &p) {
  auto names = ignored_capabilities(p.capabilities, kernel_last_cap());
  if (names.empty()) return;
  std::string list;
  for (const auto &n : names)
    list += (list.empty() ? "" : " ") + n;
  log::warn("ignoring unknown or unavailable capabilities: [" + list + "]");
}

void drop_bounding_set(const spec::Process &p) {
  CapPlan plan = plan_capabilities(p.capabilities, kernel_last_cap());
  for (int c : plan.drop_bounding) {
    if (cap_drop_bound(static_cast<cap_value_t>(c)) != 0) {
      if (errno == EINVAL) continue; // not known to this kernel after all
      throw_errno("drop " + cap_name(c) + " from the bounding set");
    }
  }
}

CapPlan keep_for_seccomp(CapPlan plan) {
  for (auto *set : {&plan.effective, &plan.permitted}) {
    auto it = std::lower_bound(set->begin(), set->end(), CAP_SYS_ADMIN);
    if (it == set->end() || *it != CAP_SYS_ADMIN) set->insert(it, CAP_SYS_ADMIN);
  }
  return plan;
}

namespace {

void set_process_caps(const CapPlan &plan) {
  CapT caps(cap_init());
  if (!caps.c) throw_errno("cap_init");
  set_flag(caps.c, CAP_EFFECTIVE, plan.effective);
  set_flag(caps.c, CAP_PERMITTED, plan.permitted);
  set_flag(caps.c, CAP_INHERITABLE, plan.inheritable);
  if (cap_set_proc(caps.c) != 0) throw_errno("set capabilities (effective/permitted/inheritable)");

  if (cap_reset_ambient() != 0 && errno != EINVAL) throw_errno("reset the ambient set");
  for (int a : plan.skipped_ambient)
    log::debug("ambient capability " + cap_name(a) +
               " skipped: it is not in both the permitted and the inheritable set");
  for (int a : plan.ambient)
    if (cap_set_ambient(static_cast<cap_value_t>(a), CAP_SET) != 0)
      throw_errno("raise ambient capability " + cap_name(a));
}

} // namespace

void apply_capabilities(const spec::Process &p) {
  set_process_caps(plan_capabilities(p.capabilities, kernel_last_cap()));
}

void apply_capabilities_for_seccomp(const spec::Process &p) {
  CapPlan plan = plan_capabilities(p.capabilities, kernel_last_cap());
  if (!p.noNewPrivileges) plan = keep_for_seccomp(std::move(plan));
  set_process_caps(plan);
}

} // namespace hull::sys
