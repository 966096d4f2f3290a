#include "cgroups/plan.hpp"
#include "util/path.hpp"
#include <algorithm>

#include "util/error.hpp"

namespace hull::cgroups {

namespace {

std::string dev_key(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

[[noreturn]] void unsupported(const std::string &field, const std::string &why) {
  throw Error("linux.resources." + field + ": " + why);
}

struct Builder {
  Layout layout;
  const HostFacts &facts;
  Plan plan;

  void add(const std::string &ctrl, const std::string &file, const std::string &value,
           bool best_effort = false) {
    plan.writes.push_back({layout == Layout::v2 ? "" : ctrl, file, value, best_effort, ""});
  }
  // A write whose failure is the config's (a value the host refuses): the
  // error names FIELD (under linux.resources).
  void add_field(const std::string &ctrl, const std::string &file, const std::string &value,
                 const std::string &field) {
    add(ctrl, file, value);
    plan.writes.back().field = "linux.resources." + field;
  }
  void warn(const std::string &w) { plan.warnings.push_back(w); }
};

void plan_cpuset(Builder &b, const spec::CPUResources &cpu) {
  if (!cpu.cpus.empty()) b.add_field("cpuset", "cpuset.cpus", cpu.cpus, "cpu.cpus");
  if (!cpu.mems.empty()) b.add_field("cpuset", "cpuset.mems", cpu.mems, "cpu.mems");
}

void plan_devices(Builder &b, const std::vector<spec::DeviceCgroupRule> &rules) {
  if (rules.empty()) return;
  b.plan.devices = true;
  if (b.layout == Layout::v2) {
    b.plan.device_rules = rules;
    return;
  }
  // Start from "deny everything" (what runc's device emulator assumes), then
  // apply the rules in order: the last matching rule wins, as in the kernel.
  b.add("devices", "devices.deny", "a");
  for (const auto &r : rules)
    b.add("devices", r.allow ? "devices.allow" : "devices.deny", device_rule_text(r));
}

void check_memory(const spec::MemoryResources &m, const HostFacts &f) {
  if (m.swappiness && *m.swappiness > 100)
    unsupported("memory.swappiness",
                "must be between 0 and 100, got " + std::to_string(*m.swappiness));
  if (f.updating && m.checkBeforeUpdate.value_or(false) && m.limit && *m.limit > 0 &&
      f.current_usage && *f.current_usage > *m.limit)
    unsupported("memory.limit", "new limit " + std::to_string(*m.limit) +
                                    " is lower than the current usage " +
                                    std::to_string(*f.current_usage) + " (checkBeforeUpdate)");
}

void plan_memory_v1(Builder &b, const spec::MemoryResources &m) {
  // As runc: a memory limit of -1 without a swap value lifts memory+swap too
  // (else the old memsw limit would keep capping memory).
  std::optional<int64_t> swap = m.swap;
  if (m.limit && *m.limit == -1 && !swap && b.facts.has_memsw) swap = -1;
  if (swap && m.limit && *swap != -1 && *m.limit > 0 && *swap < *m.limit)
    unsupported("memory.swap", "memory+swap (" + std::to_string(*swap) +
                                   ") must be >= the memory limit (" + std::to_string(*m.limit) +
                                   ")");
  const auto limit = [&] {
    if (m.limit)
      b.add_field("memory", "memory.limit_in_bytes", std::to_string(*m.limit), "memory.limit");
  };
  if (swap) {
    // memsw must stay >= limit at every step: raise memsw first when it grows.
    const bool swap_first = *swap == -1 || (b.facts.current_memsw && *b.facts.current_memsw != -1 &&
                                            *b.facts.current_memsw < *swap);
    if (swap_first)
      b.add_field("memory", "memory.memsw.limit_in_bytes", std::to_string(*swap), "memory.swap");
    limit();
    if (!swap_first)
      b.add_field("memory", "memory.memsw.limit_in_bytes", std::to_string(*swap), "memory.swap");
  } else {
    limit();
  }
  if (m.reservation)
    b.add_field("memory", "memory.soft_limit_in_bytes", std::to_string(*m.reservation),
                "memory.reservation");
  if (m.kernel) b.add("memory", "memory.kmem.limit_in_bytes", std::to_string(*m.kernel), true);
  if (m.kernelTCP)
    b.add("memory", "memory.kmem.tcp.limit_in_bytes", std::to_string(*m.kernelTCP), true);
  if (m.swappiness)
    b.add_field("memory", "memory.swappiness", std::to_string(*m.swappiness), "memory.swappiness");
  if (m.disableOOMKiller) b.add("memory", "memory.oom_control", *m.disableOOMKiller ? "1" : "0");
  if (m.useHierarchy) b.add("memory", "memory.use_hierarchy", *m.useHierarchy ? "1" : "0");
}

void plan_memory_v2(Builder &b, const spec::MemoryResources &m) {
  // swap first so that memory.max never sits alone above a stale swap limit.
  const std::string swap = v2_swap_value(m.swap, m.limit);
  if (!swap.empty()) b.add_field("", "memory.swap.max", swap, "memory.swap");
  if (m.limit) b.add_field("", "memory.max", limit_text(*m.limit), "memory.limit");
  if (m.reservation)
    b.add_field("", "memory.low", limit_text(*m.reservation), "memory.reservation");
  if (m.kernel) b.warn("linux.resources.memory.kernel is not supported on cgroup v2: ignored");
  if (m.kernelTCP)
    b.warn("linux.resources.memory.kernelTCP is not supported on cgroup v2: ignored");
  if (m.swappiness)
    b.warn("linux.resources.memory.swappiness is not supported on cgroup v2: ignored");
  if (m.disableOOMKiller.value_or(false))
    b.warn("linux.resources.memory.disableOOMKiller is not supported on cgroup v2: ignored");
  if (m.useHierarchy && !*m.useHierarchy)
    unsupported("memory.useHierarchy", "cgroup v2 is always hierarchical");
}

void plan_cpu_v1(Builder &b, const spec::CPUResources &c) {
  if (c.shares) b.add_field("cpu", "cpu.shares", std::to_string(*c.shares), "cpu.shares");
  if (c.period) {
    b.add_field("cpu", "cpu.cfs_period_us", std::to_string(*c.period), "cpu.period");
    // As runc: a smaller period can be refused while the old quota over the
    // new period exceeds the parent's limit; then the quota goes first.
    if (c.quota) b.plan.writes.back().retry_after_next = true;
  }
  if (c.quota) b.add_field("cpu", "cpu.cfs_quota_us", std::to_string(*c.quota), "cpu.quota");
  if (c.burst) b.add_field("cpu", "cpu.cfs_burst_us", std::to_string(*c.burst), "cpu.burst");
  if (c.realtimePeriod)
    b.add_field("cpu", "cpu.rt_period_us", std::to_string(*c.realtimePeriod), "cpu.realtimePeriod");
  if (c.realtimeRuntime)
    b.add_field("cpu", "cpu.rt_runtime_us", std::to_string(*c.realtimeRuntime),
                "cpu.realtimeRuntime");
  if (c.idle) b.add_field("cpu", "cpu.idle", std::to_string(*c.idle), "cpu.idle");
}

void plan_cpu_v2(Builder &b, const spec::CPUResources &c) {
  if (c.shares && *c.shares != 0)
    b.add_field("", "cpu.weight", std::to_string(shares_to_weight(*c.shares)), "cpu.shares");
  const int64_t quota = c.quota.value_or(0);
  const uint64_t period = c.period.value_or(0);
  if (quota != 0 || period != 0) {
    std::string v = quota > 0 ? std::to_string(quota) : "max";
    v += " " + std::to_string(period != 0 ? period : 100000);
    b.add_field("", "cpu.max", v, quota != 0 ? "cpu.quota" : "cpu.period");
  }
  if (c.burst) b.add_field("", "cpu.max.burst", std::to_string(*c.burst), "cpu.burst");
  if (c.realtimeRuntime.value_or(0) != 0)
    unsupported("cpu.realtimeRuntime", "realtime scheduling is not supported on cgroup v2");
  if (c.realtimePeriod.value_or(0) != 0)
    unsupported("cpu.realtimePeriod", "realtime scheduling is not supported on cgroup v2");
  if (c.idle) b.add_field("", "cpu.idle", std::to_string(*c.idle), "cpu.idle");
}

void plan_blkio(Builder &b, const spec::BlockIOResources &io) {
  const bool v1 = b.layout == Layout::v1;
  const bool bfq = b.facts.bfq_weight;
  // weight 0 means "not set" (docker always sends blockIO.weight 0); runc skips it
  if (io.weight.value_or(0) != 0) {
    if (v1)
      b.add_field("blkio", bfq ? "blkio.bfq.weight" : "blkio.weight", std::to_string(*io.weight),
                  "blockIO.weight");
    else if (bfq)
      b.add_field("", "io.bfq.weight", std::to_string(*io.weight), "blockIO.weight");
    else
      b.add_field("", "io.weight", std::to_string(blkio_weight_to_io(*io.weight)),
                  "blockIO.weight");
  }
  if (io.leafWeight.value_or(0) != 0) {
    if (v1)
      b.add("blkio", "blkio.leaf_weight", std::to_string(*io.leafWeight));
    else
      b.warn("linux.resources.blockIO.leafWeight is not supported on cgroup v2: ignored");
  }
  for (const auto &d : io.weightDevice) {
    const std::string key = dev_key(d.major, d.minor);
    if (d.weight) {
      if (v1)
        b.add("blkio", bfq ? "blkio.bfq.weight_device" : "blkio.weight_device",
              key + " " + std::to_string(*d.weight));
      else if (bfq)
        b.add("", "io.bfq.weight", key + " " + std::to_string(*d.weight));
      else
        b.add("", "io.weight", key + " " + std::to_string(blkio_weight_to_io(*d.weight)));
    }
    if (d.leafWeight) {
      if (v1)
        b.add("blkio", "blkio.leaf_weight_device", key + " " + std::to_string(*d.leafWeight));
      else
        b.warn("linux.resources.blockIO.weightDevice[].leafWeight is not supported on cgroup v2: "
               "ignored");
    }
  }
  const struct {
    const std::vector<spec::ThrottleDevice> &list;
    const char *v1_file;
    const char *v2_key;
  } throttles[] = {
      {io.throttleReadBpsDevice, "blkio.throttle.read_bps_device", "rbps"},
      {io.throttleWriteBpsDevice, "blkio.throttle.write_bps_device", "wbps"},
      {io.throttleReadIOPSDevice, "blkio.throttle.read_iops_device", "riops"},
      {io.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device", "wiops"},
  };
  for (const auto &t : throttles)
    for (const auto &d : t.list) {
      const std::string key = dev_key(d.major, d.minor);
      if (v1)
        b.add("blkio", t.v1_file, key + " " + std::to_string(d.rate));
      else
        b.add("", "io.max",
              key + " " + t.v2_key + "=" + (d.rate == 0 ? "max" : std::to_string(d.rate)));
    }
}

// [0-9]+[KMG]B, by hand: compiling the equivalent std::regex cost every
// create ~0.55 M instructions (callgrind), a quarter of its user-space work.
bool is_page_size(const std::string &s) {
  if (s.size() < 3 || s.back() != 'B') return false;
  const char unit = s[s.size() - 2];
  if (unit != 'K' && unit != 'M' && unit != 'G') return false;
  for (size_t i = 0; i + 2 < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

void plan_hugetlb(Builder &b, const std::vector<spec::HugepageLimit> &limits) {
  for (size_t i = 0; i < limits.size(); ++i) {
    const auto &h = limits[i];
    if (!is_page_size(h.pageSize))
      unsupported("hugepageLimits[].pageSize",
                  "\"" + h.pageSize + "\" is not a page size like 2MB or 1GB");
    const std::string field = "hugepageLimits[" + std::to_string(i) + "]";
    if (b.layout == Layout::v2)
      b.add_field("", "hugetlb." + h.pageSize + ".max", std::to_string(h.limit), field);
    else if (b.facts.hugetlb_on_v2)
      b.add_field("unified", "hugetlb." + h.pageSize + ".max", std::to_string(h.limit), field);
    else
      b.add_field("hugetlb", "hugetlb." + h.pageSize + ".limit_in_bytes", std::to_string(h.limit),
                  field);
  }
}

void plan_network(Builder &b, const spec::NetworkResources &n) {
  if (b.layout == Layout::v2) {
    if (n.classID || !n.priorities.empty())
      b.warn("linux.resources.network is not supported on cgroup v2 (no net_cls/net_prio): "
             "ignored");
    return;
  }
  if (n.classID)
    b.add_field("net_cls", "net_cls.classid", std::to_string(*n.classID), "network.classID");
  for (const auto &p : n.priorities)
    b.add("net_prio", "net_prio.ifpriomap", p.name + " " + std::to_string(p.priority));
}

void plan_rdma(Builder &b, const std::map<std::string, spec::RdmaLimit> &rdma) {
  for (const auto &[dev, l] : rdma) {
    std::string v = dev;
    if (l.hcaHandles) v += " hca_handle=" + std::to_string(*l.hcaHandles);
    if (l.hcaObjects) v += " hca_object=" + std::to_string(*l.hcaObjects);
    if (l.hcaHandles || l.hcaObjects) b.add("rdma", "rdma.max", v);
  }
}

void plan_unified(Builder &b, const std::map<std::string, std::string> &unified) {
  if (unified.empty()) return;
  if (b.layout == Layout::v1) // runc's wording starts "invalid configuration"
    throw Error("invalid configuration: linux.resources.unified: requires cgroup v2 (this host "
                "uses cgroup v1)");
  for (const auto &[file, value] : unified) {
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
      unsupported("unified", "\"" + file + "\" is not a cgroup file name");
    b.add("", file, value);
  }
}

} // namespace

namespace {

// 0 in these fields means "not set", as runc takes it: docker's `update`
// sends every field, unset ones as 0 (memory.limit_in_bytes = 0 would fail).
template <class T> void zero_is_unset(std::optional<T> &v) {
  if (v && *v == 0) v.reset();
}

spec::Resources without_unset_zeros(spec::Resources r) {
  if (r.memory) {
    for (auto *f : {&r.memory->limit, &r.memory->reservation, &r.memory->swap, &r.memory->kernel,
                    &r.memory->kernelTCP})
      zero_is_unset(*f);
  }
  if (r.cpu) {
    zero_is_unset(r.cpu->shares);
    zero_is_unset(r.cpu->period);
    zero_is_unset(r.cpu->realtimePeriod);
    zero_is_unset(r.cpu->quota);
    zero_is_unset(r.cpu->realtimeRuntime);
  }
  return r;
}

} // namespace

Plan plan_resources(const spec::Resources &res_in, Layout layout, const HostFacts &facts) {
  const spec::Resources res = without_unset_zeros(res_in);
  Builder b{layout, facts, {}};
  if (res.cpu) plan_cpuset(b, *res.cpu);
  plan_devices(b, res.devices);
  if (res.memory) {
    check_memory(*res.memory, facts);
    if (layout == Layout::v1)
      plan_memory_v1(b, *res.memory);
    else
      plan_memory_v2(b, *res.memory);
  }
  if (res.cpu) {
    if (layout == Layout::v1)
      plan_cpu_v1(b, *res.cpu);
    else
      plan_cpu_v2(b, *res.cpu);
  }
  if (res.pids && res.pids->limit && *res.pids->limit != 0)
    b.add_field("pids", "pids.max", limit_text(*res.pids->limit), "pids.limit");
  if (res.blockIO) plan_blkio(b, *res.blockIO);
  plan_hugetlb(b, res.hugepageLimits);
  if (res.network) plan_network(b, *res.network);
  plan_rdma(b, res.rdma);
  plan_unified(b, res.unified);
  return std::move(b.plan);
}

std::vector<spec::DeviceCgroupRule>
effective_device_rules(const std::vector<spec::DeviceCgroupRule> &rules,
                       const std::vector<spec::Device> &linux_devices) {
  // As runc: the config's rules, then the default allow rules. linux.devices
  // get no rule of their own (the config's resources.devices decide), and a
  // default rule for a path that linux.devices also creates is left out.
  std::vector<spec::DeviceCgroupRule> out = rules;
  auto listed = [&](const char *path) {
    return std::any_of(linux_devices.begin(), linux_devices.end(),
                       [&](const spec::Device &d) { return d.path == path; });
  };
  auto allow = [&](const char *path, const std::string &type, std::optional<int64_t> major,
                   std::optional<int64_t> minor, const std::string &access) {
    if (path && listed(path)) return;
    out.push_back({true, type, major, minor, access});
  };
  allow(nullptr, "c", std::nullopt, std::nullopt, "m"); // mknod of any char device
  allow(nullptr, "b", std::nullopt, std::nullopt, "m"); // mknod of any block device
  allow("/dev/null", "c", 1, 3, "rwm");
  allow("/dev/zero", "c", 1, 5, "rwm");
  allow("/dev/full", "c", 1, 7, "rwm");
  allow("/dev/random", "c", 1, 8, "rwm");
  allow("/dev/urandom", "c", 1, 9, "rwm");
  allow("/dev/tty", "c", 5, 0, "rwm");
  allow(nullptr, "c", 5, 1, "rwm");              // /dev/console
  allow(nullptr, "c", 5, 2, "rwm");              // /dev/ptmx
  allow(nullptr, "c", 136, std::nullopt, "rwm"); // /dev/pts/*
  allow(nullptr, "c", 10, 200, "rwm");           // /dev/net/tun
  return out;
}

std::string device_rule_text(const spec::DeviceCgroupRule &r) {
  const std::string type = r.type.empty() ? "a" : r.type;
  if (type == "a" && !r.major && !r.minor && (r.access.empty() || r.access == "rwm")) return "a";
  auto num = [](std::optional<int64_t> v) {
    return !v || *v < 0 ? std::string("*") : std::to_string(*v);
  };
  return type + " " + num(r.major) + ":" + num(r.minor) + " " +
         (r.access.empty() ? std::string("rwm") : r.access);
}

uint64_t shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io(uint64_t weight) {
  if (weight == 0) return 0;
  if (weight < 10) weight = 10;
  if (weight > 1000) weight = 1000;
  return 1 + ((weight - 10) * 9999) / 990;
}

std::string limit_text(int64_t v) {
  return v < 0 ? "max" : std::to_string(v);
}

std::string v2_swap_value(std::optional<int64_t> swap, std::optional<int64_t> limit) {
  const int64_t mem = limit.value_or(0);
  const int64_t sw = swap.value_or(0);
  if (mem == -1 && sw == 0) return limit ? "max" : ""; // unlimited memory: unlimited swap
  if (!swap || sw == 0) return "";                     // unset
  if (sw == -1) return "max";
  if (mem == 0 || mem == -1)
    unsupported("memory.swap", "a swap limit needs a memory limit on cgroup v2");
  if (sw < mem)
    unsupported("memory.swap", "memory+swap (" + std::to_string(sw) +
                                   ") must be >= the memory limit (" + std::to_string(mem) + ")");
  return std::to_string(sw - mem);
}

std::string clean_cgroup_path(const std::string &p) {
  if (p.empty()) return "";
  std::vector<std::string> parts = clean_components(p);
  std::string out = p[0] == '/' ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k)
    out += (k ? "/" : "") + parts[k];
  return out;
}

namespace {
std::string join(const std::string &a, const std::string &b) {
  if (a.empty() || a == "/") return "/" + b;
  return a + "/" + b;
}
std::string dirname(const std::string &p) {
  auto pos = p.find_last_of('/');
  if (pos == std::string::npos || pos == 0) return "/";
  return p.substr(0, pos);
}
} // namespace

std::string resolve_path(const std::string &id, const std::string &cgroups_path,
                         const std::string &own_cgroup, Layout layout) {
  std::string p = clean_cgroup_path(cgroups_path);
  if (!p.empty() && p[0] == '/') return p == "/" ? "/" : p;
  if (p.empty()) p = id;
  std::string base = clean_cgroup_path(own_cgroup.empty() ? "/" : own_cgroup);
  if (base.empty() || base[0] != '/') base = "/" + base;
  if (layout == Layout::v2) base = dirname(base);
  return join(base, p);
}

// runc's systemd cgroupsPath "slice:prefix:name" mapped onto the cgroupfs
// layout systemd would use ("a-b.slice" -> "/a.slice/a-b.slice/prefix-name.scope").
std::string systemd_cgroup_path(const std::string &id, const std::string &p) {
  std::string slice = "system.slice", prefix = "hull", name = id;
  if (!p.empty()) {
    auto a = p.find(':');
    auto b = a == std::string::npos ? a : p.find(':', a + 1);
    if (b == std::string::npos)
      throw Error("linux.cgroupsPath: \"" + p +
                  "\" is not \"slice:prefix:name\" as the systemd cgroup driver expects");
    slice = p.substr(0, a);
    prefix = p.substr(a + 1, b - a - 1);
    name = p.substr(b + 1);
    if (slice.empty()) slice = "system.slice";
  }
  std::string path;
  if (slice != "-.slice") {
    const std::string base = slice.substr(0, slice.size() - 6); // strip ".slice"
    std::string acc;
    size_t pos = 0;
    for (;;) {
      auto dash = base.find('-', pos);
      acc = base.substr(0, dash);
      path += "/" + acc + ".slice";
      if (dash == std::string::npos) break;
      pos = dash + 1;
    }
  }
  std::string unit = name;
  if (unit.size() < 6 || unit.substr(unit.size() - 6) != ".slice")
    unit = (prefix.empty() ? "" : prefix + "-") + name + ".scope";
  return path + "/" + unit;
}

} // namespace hull::cgroups
