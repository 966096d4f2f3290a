// Semantic checks of a parsed Config: what config.md / config-linux.md mark
// as MUST/REQUIRED, plus the few refusals runc makes. Pure: no file access.
#include <set>

#include "spec/json_reader.hpp"
#include "spec/names.hpp"
#include "spec/spec.hpp"
#include "spec/validate_internal.hpp"

namespace hull::spec {
namespace detail {

std::string idx(const std::string &base, size_t i) {
  return base + "[" + std::to_string(i) + "]";
}

[[noreturn]] void bad(const std::string &path, const std::string &problem) {
  throw ConfigError(path, problem);
}

void need_absolute(const std::string &path, const std::string &value) {
  if (value.empty()) bad(path, "must not be empty");
  if (value[0] != '/') bad(path, "must be an absolute path, got " + quote(value));
}

void check_known(const std::string &path, const Names &known, const std::string &value,
                 const char *what) {
  if (!contains(known, value)) bad(path, std::string("unknown ") + what + " " + quote(value));
}

void check_idmappings(const std::string &base, const std::vector<IdMapping> &maps) {
  // What the kernel refuses with a bare EINVAL when the map is written.
  if (maps.size() > 340)
    bad(base, std::to_string(maps.size()) + " mappings, more than the kernel's 340");
  auto overlap = [](uint64_t a, uint64_t b, uint64_t size_a, uint64_t size_b) {
    return a < b + size_b && b < a + size_a;
  };
  for (size_t i = 0; i < maps.size(); ++i) {
    const auto &m = maps[i];
    if (m.size == 0) bad(idx(base, i) + ".size", "must be greater than 0");
    if (uint64_t(m.containerID) + m.size - 1 > UINT32_MAX)
      bad(idx(base, i), "containerID + size exceeds the 32-bit id range");
    if (uint64_t(m.hostID) + m.size - 1 > UINT32_MAX)
      bad(idx(base, i), "hostID + size exceeds the 32-bit id range");
    for (size_t k = 0; k < i; ++k) {
      if (overlap(m.containerID, maps[k].containerID, m.size, maps[k].size))
        bad(idx(base, i), "containerID range overlaps " + idx(base, k));
      if (overlap(m.hostID, maps[k].hostID, m.size, maps[k].size))
        bad(idx(base, i), "hostID range overlaps " + idx(base, k));
    }
  }
}

namespace {

void check_version(const std::string &v) {
  // 1.<minor>.<patch> with an optional suffix such as "-dev" or "-rc.1".
  size_t i = 2;
  auto digits = [&]() {
    size_t start = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9')
      ++i;
    return i > start;
  };
  bool ok = v.rfind("1.", 0) == 0 && digits() && i < v.size() && v[i] == '.' && (++i, digits()) &&
            (i == v.size() || v[i] == '-' || v[i] == '+');
  if (!ok)
    bad("ociVersion",
        "unsupported version " + quote(v) + " (hull supports 1.x, up to " + kSpecVersion + ")");
}

void check_mounts(const std::vector<Mount> &mounts) {
  for (size_t i = 0; i < mounts.size(); ++i) {
    const auto &m = mounts[i];
    std::string base = idx("mounts", i);
    need_absolute(base + ".destination", m.destination);
    if (m.uidMappings.empty() != m.gidMappings.empty())
      bad(base, "uidMappings and gidMappings must be given together");
    check_idmappings(base + ".uidMappings", m.uidMappings);
    check_idmappings(base + ".gidMappings", m.gidMappings);
  }
}

// (see kMaxUserId)
void check_id_range(const std::string &path, uint32_t id) {
  if (id > kMaxUserId) bad(path, std::to_string(id) + " out of range (" + kUserIdRange + ")");
}

void check_process(const Process &p) {
  need_absolute("process.cwd", p.cwd);
  check_id_range("process.user.uid", p.user.uid);
  check_id_range("process.user.gid", p.user.gid);
  for (size_t i = 0; i < p.user.additionalGids.size(); ++i)
    check_id_range(idx("process.user.additionalGids", i), p.user.additionalGids[i]);
  if (p.args.empty()) bad("process.args", "must not be empty");
  // As runc: an entry that is not NAME=value has no name or no value to set.
  for (size_t i = 0; i < p.env.size(); ++i)
    if (p.env[i].find('=') == std::string::npos || p.env[i][0] == '=')
      bad(idx("process.env", i), quote(p.env[i]) + " is not NAME=value");
  std::set<std::string> seen;
  for (size_t i = 0; i < p.rlimits.size(); ++i) {
    const auto &r = p.rlimits[i];
    std::string base = idx("process.rlimits", i);
    check_known(base + ".type", known_rlimits(), r.type, "rlimit");
    if (!seen.insert(r.type).second) bad(base + ".type", "duplicate rlimit " + quote(r.type));
    if (r.soft > r.hard)
      bad(base,
          "soft limit " + std::to_string(r.soft) + " exceeds hard limit " + std::to_string(r.hard));
  }
  // Unknown capability names are not errors: runc and crun skip them with a
  // warning (create/exec print it), so an engine's newer capability runs.
  if (p.oomScoreAdj && (*p.oomScoreAdj < -1000 || *p.oomScoreAdj > 1000))
    bad("process.oomScoreAdj", std::to_string(*p.oomScoreAdj) + " out of range (-1000 to 1000)");
  if (p.scheduler) {
    const auto &s = *p.scheduler;
    check_known("process.scheduler.policy", known_sched_policies(), s.policy, "scheduler policy");
    if (s.nice < -20 || s.nice > 19)
      bad("process.scheduler.nice", std::to_string(s.nice) + " out of range (-20 to 19)");
    for (size_t i = 0; i < s.flags.size(); ++i)
      check_known(idx("process.scheduler.flags", i), known_sched_flags(), s.flags[i],
                  "scheduler flag");
  }
  if (p.ioPriority) {
    check_known("process.ioPriority.class", known_ioprio_classes(), p.ioPriority->ioClass,
                "ioPriority class");
    if (p.ioPriority->priority < 0 || p.ioPriority->priority > 7)
      bad("process.ioPriority.priority",
          std::to_string(p.ioPriority->priority) + " out of range (0 to 7)");
  }
  if (p.execCPUAffinity) {
    check_cpu_list("process.execCPUAffinity.initial", p.execCPUAffinity->initial);
    check_cpu_list("process.execCPUAffinity.final", p.execCPUAffinity->final);
  }
}

void check_hooks(const Hooks &h) {
  auto list = [](const char *name, const std::vector<Hook> &hooks) {
    for (size_t i = 0; i < hooks.size(); ++i) {
      std::string base = idx(std::string("hooks.") + name, i);
      need_absolute(base + ".path", hooks[i].path);
      if (hooks[i].timeout && *hooks[i].timeout <= 0)
        bad(base + ".timeout", "must be greater than 0, got " + std::to_string(*hooks[i].timeout));
    }
  };
  list("prestart", h.prestart);
  list("createRuntime", h.createRuntime);
  list("createContainer", h.createContainer);
  list("startContainer", h.startContainer);
  list("poststart", h.poststart);
  list("poststop", h.poststop);
}

} // namespace
} // namespace detail

void validate(const Config &c) {
  using namespace detail;
  check_version(c.ociVersion);
  if (c.root) {
    if (c.root->path.empty()) bad("root.path", "must not be empty");
  } else if (c.linux_) {
    bad("root", "missing required field");
  }
  check_mounts(c.mounts);
  if (c.process) check_process(*c.process);
  if (c.hooks) check_hooks(*c.hooks);
  for (const auto &[k, v] : c.annotations)
    if (k.empty()) bad("annotations", "keys must not be empty");
  if (c.linux_) check_linux(c);
}

} // namespace hull::spec
