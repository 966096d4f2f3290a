#include "cgroups/stats.hpp"

#include <algorithm>
#include <dirent.h>
#include <iterator>
#include <sstream>

namespace hull::cgroups {

using nlohmann::json;

namespace {

uint64_t num(const std::optional<std::string> &t) {
  if (!t) return 0;
  try {
    size_t used = 0;
    const std::string s = t->substr(0, t->find('\n'));
    if (s.rfind("max", 0) == 0) return 0;
    long long v = std::stoll(s, &used);
    return v < 0 ? 0 : static_cast<uint64_t>(v);
  } catch (...) {
    return 0;
  }
}

std::vector<uint64_t> num_list(const std::optional<std::string> &t) {
  std::vector<uint64_t> out;
  if (!t) return out;
  std::istringstream in(*t);
  uint64_t v;
  while (in >> v)
    out.push_back(v);
  return out;
}

// Go's omitempty: zero numbers and empty lists are left out.
void put(json &j, const char *key, uint64_t v) {
  if (v != 0) j[key] = v;
}
void put(json &j, const char *key, const std::vector<uint64_t> &v) {
  if (!v.empty()) j[key] = v;
}

json memory_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt) {
  json e = {{"limit", limit}, {"failcnt", failcnt}};
  put(e, "usage", usage);
  put(e, "max", max);
  return e;
}

// "8:0 Read 1234" lines (v1 blkio) -> entries; "Total" lines are dropped.
json blkio_entries(const std::optional<std::string> &t) {
  json out = json::array();
  if (!t) return out;
  std::istringstream in(*t);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string dev, op;
    uint64_t value = 0;
    if (!(f >> dev)) continue;
    if (dev == "Total") continue;
    auto colon = dev.find(':');
    if (colon == std::string::npos) continue;
    json e;
    if (!(f >> op)) continue;
    if (!(f >> value)) { // two-column files ("8:0 1234")
      try {
        value = std::stoull(op);
      } catch (...) {
        continue;
      }
      op.clear();
    }
    put(e, "major", std::stoull(dev.substr(0, colon)));
    put(e, "minor", std::stoull(dev.substr(colon + 1)));
    if (!op.empty()) e["op"] = op;
    put(e, "value", value);
    out.push_back(e);
  }
  return out;
}

// "0-2,5" (cpuset.cpus / cpuset.mems) -> [0,1,2,5]; nothing for text it cannot read.
std::vector<uint64_t> cpu_list(const std::optional<std::string> &t) {
  std::vector<uint64_t> out;
  if (!t) return out;
  std::istringstream in(t->substr(0, t->find('\n')));
  std::string part;
  while (std::getline(in, part, ',')) {
    if (part.empty()) continue;
    try {
      const auto dash = part.find('-');
      const uint64_t lo = std::stoull(part.substr(0, dash));
      const uint64_t hi = dash == std::string::npos ? lo : std::stoull(part.substr(dash + 1));
      if (hi < lo || hi - lo > 65535) return {};
      for (uint64_t c = lo; c <= hi; ++c)
        out.push_back(c);
    } catch (...) {
      return {};
    }
  }
  return out;
}

// A signed cgroup value (cpuset.sched_relax_domain_level is -1 by default).
int64_t signed_num(const std::optional<std::string> &t) {
  if (!t) return 0;
  try {
    return std::stoll(t->substr(0, t->find('\n')));
  } catch (...) {
    return 0;
  }
}

json base_document() {
  return {{"cpu", {{"usage", {{"kernel", 0}, {"user", 0}}}, {"throttling", json::object()}}},
          {"cpuset",
           {{"cpu_exclusive", 0},
            {"mem_hardwall", 0},
            {"mem_exclusive", 0},
            {"memory_migrate", 0},
            {"memory_spread_page", 0},
            {"memory_spread_slab", 0},
            {"memory_pressure", 0},
            {"sched_load_balance", 0},
            {"sched_relax_domain_level", 0}}},
          {"memory", json::object()},
          {"pids", json::object()},
          {"blkio", json::object()},
          {"hugetlb", json::object()},
          {"intel_rdt", json::object()},
          {"network_interfaces", nullptr}};
}

} // namespace

std::map<std::string, uint64_t> parse_flat_keyed(const std::string &text) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string k, v;
    if (!(f >> k >> v)) continue;
    try {
      size_t used = 0;
      unsigned long long n = std::stoull(v, &used);
      if (used == v.size()) out[k] = n;
    } catch (...) {
    }
  }
  return out;
}

std::string hugepage_size_name(const std::string &entry) {
  const std::string prefix = "hugepages-";
  if (entry.rfind(prefix, 0) != 0) return "";
  uint64_t kb = 0;
  try {
    kb = std::stoull(entry.substr(prefix.size()));
  } catch (...) {
    return "";
  }
  if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0) return std::to_string(kb / 1024 / 1024) + "GB";
  if (kb >= 1024 && kb % 1024 == 0) return std::to_string(kb / 1024) + "MB";
  return std::to_string(kb) + "KB";
}

std::vector<std::string> host_hugepage_sizes() {
  std::vector<std::string> out;
  DIR *d = ::opendir("/sys/kernel/mm/hugepages");
  if (!d) return out;
  while (dirent *e = ::readdir(d)) {
    auto n = hugepage_size_name(e->d_name);
    if (!n.empty()) out.push_back(n);
  }
  ::closedir(d);
  return out;
}

json stats_v1(const ReaderV1 &read, const std::vector<std::string> &sizes, bool hugetlb_on_v2,
              long clock_ticks) {
  json s = base_document();
  // cpu
  json &usage = s["cpu"]["usage"];
  put(usage, "total", num(read("cpuacct", "cpuacct.usage")));
  put(usage, "percpu", num_list(read("cpuacct", "cpuacct.usage_percpu")));
  put(usage, "percpu_kernel", num_list(read("cpuacct", "cpuacct.usage_percpu_sys")));
  put(usage, "percpu_user", num_list(read("cpuacct", "cpuacct.usage_percpu_user")));
  if (auto st = read("cpuacct", "cpuacct.stat")) {
    auto kv = parse_flat_keyed(*st);
    const uint64_t ns_per_tick = clock_ticks > 0 ? 1000000000ULL / clock_ticks : 10000000ULL;
    usage["user"] = kv["user"] * ns_per_tick;
    usage["kernel"] = kv["system"] * ns_per_tick;
  }
  if (auto st = read("cpu", "cpu.stat")) {
    auto kv = parse_flat_keyed(*st);
    json &th = s["cpu"]["throttling"];
    put(th, "periods", kv["nr_periods"]);
    put(th, "throttledPeriods", kv["nr_throttled"]);
    put(th, "throttledTime", kv["throttled_time"]);
  }
  // cpuset (runc's field names; the lists expanded, empty ones left out)
  if (read("cpuset", "cpuset.cpus")) {
    json &cs = s["cpuset"];
    put(cs, "cpus", cpu_list(read("cpuset", "cpuset.cpus")));
    put(cs, "mems", cpu_list(read("cpuset", "cpuset.mems")));
    for (const char *k :
         {"cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
          "memory_spread_slab", "memory_pressure", "sched_load_balance"})
      cs[k] = num(read("cpuset", std::string("cpuset.") + k));
    cs["sched_relax_domain_level"] = signed_num(read("cpuset", "cpuset.sched_relax_domain_level"));
  }
  // memory
  json &mem = s["memory"];
  auto entry = [&](const std::string &prefix) {
    return memory_entry(num(read("memory", prefix + ".limit_in_bytes")),
                        num(read("memory", prefix + ".usage_in_bytes")),
                        num(read("memory", prefix + ".max_usage_in_bytes")),
                        num(read("memory", prefix + ".failcnt")));
  };
  mem["usage"] = entry("memory");
  mem["swap"] = entry("memory.memsw");
  mem["kernel"] = entry("memory.kmem");
  mem["kernelTCP"] = entry("memory.kmem.tcp");
  if (auto st = read("memory", "memory.stat")) {
    auto kv = parse_flat_keyed(*st);
    if (!kv.empty()) mem["raw"] = kv;
    put(mem, "cache", kv["cache"]);
  }
  // pids
  put(s["pids"], "current", num(read("pids", "pids.current")));
  put(s["pids"], "limit", num(read("pids", "pids.max")));
  // blkio: the CFQ/BFQ files when present, else the throttle ones (what runc reads)
  json &bl = s["blkio"];
  auto blk = [&](const char *key, const std::vector<std::string> &files) {
    for (const auto &f : files) {
      auto t = read("blkio", f);
      if (!t) continue;
      json e = blkio_entries(t);
      if (!e.empty()) bl[key] = e;
      return;
    }
  };
  blk("ioServiceBytesRecursive",
      {"blkio.io_service_bytes_recursive", "blkio.bfq.io_service_bytes_recursive",
       "blkio.throttle.io_service_bytes_recursive"});
  blk("ioServicedRecursive", {"blkio.io_serviced_recursive", "blkio.bfq.io_serviced_recursive",
                              "blkio.throttle.io_serviced_recursive"});
  blk("ioQueueRecursive", {"blkio.io_queued_recursive"});
  blk("ioServiceTimeRecursive", {"blkio.io_service_time_recursive"});
  blk("ioWaitTimeRecursive", {"blkio.io_wait_time_recursive"});
  blk("ioMergedRecursive", {"blkio.io_merged_recursive"});
  blk("ioTimeRecursive", {"blkio.time_recursive"});
  blk("sectorsRecursive", {"blkio.sectors_recursive"});
  // hugetlb
  for (const auto &size : sizes) {
    json h;
    if (hugetlb_on_v2) {
      put(h, "usage", num(read("unified", "hugetlb." + size + ".current")));
      auto ev = read("unified", "hugetlb." + size + ".events");
      h["failcnt"] = ev ? parse_flat_keyed(*ev)["max"] : 0;
    } else {
      const std::string p = "hugetlb." + size;
      put(h, "usage", num(read("hugetlb", p + ".usage_in_bytes")));
      put(h, "max", num(read("hugetlb", p + ".max_usage_in_bytes")));
      h["failcnt"] = num(read("hugetlb", p + ".failcnt"));
    }
    s["hugetlb"][size] = h;
  }
  return s;
}

json stats_v2(const ReaderV2 &read, const std::vector<std::string> &sizes) {
  json s = base_document();
  if (auto st = read("cpu.stat")) {
    auto kv = parse_flat_keyed(*st);
    json &usage = s["cpu"]["usage"];
    put(usage, "total", kv["usage_usec"] * 1000);
    usage["user"] = kv["user_usec"] * 1000;
    usage["kernel"] = kv["system_usec"] * 1000;
    json &th = s["cpu"]["throttling"];
    put(th, "periods", kv["nr_periods"]);
    put(th, "throttledPeriods", kv["nr_throttled"]);
    put(th, "throttledTime", kv["throttled_usec"] * 1000);
  }
  json &mem = s["memory"];
  uint64_t failcnt = 0;
  if (auto ev = read("memory.events")) failcnt = parse_flat_keyed(*ev)["max"];
  auto limit = [&](const char *file) {
    auto t = read(file);
    if (t && t->rfind("max", 0) == 0) return UINT64_MAX;
    return num(t);
  };
  const uint64_t cur = num(read("memory.current"));
  mem["usage"] = memory_entry(limit("memory.max"), cur, num(read("memory.peak")), failcnt);
  // like runc: swap reports memory+swap so that tools built for v1 keep working
  mem["swap"] =
      memory_entry(limit("memory.swap.max"), cur + num(read("memory.swap.current")), 0, 0);
  mem["kernel"] = memory_entry(0, 0, 0, 0);
  mem["kernelTCP"] = memory_entry(0, 0, 0, 0);
  if (auto st = read("memory.stat")) {
    auto kv = parse_flat_keyed(*st);
    if (!kv.empty()) mem["raw"] = kv;
    put(mem, "cache", kv["file"]);
  }
  put(s["pids"], "current", num(read("pids.current")));
  put(s["pids"], "limit", num(read("pids.max")));
  if (auto io = read("io.stat")) {
    json bytes = json::array(), ios = json::array();
    std::istringstream in(*io);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream f(line);
      std::string dev, kv;
      if (!(f >> dev)) continue;
      auto colon = dev.find(':');
      if (colon == std::string::npos) continue;
      const uint64_t major = std::stoull(dev.substr(0, colon));
      const uint64_t minor = std::stoull(dev.substr(colon + 1));
      while (f >> kv) {
        auto eq = kv.find('=');
        if (eq == std::string::npos) continue;
        const std::string k = kv.substr(0, eq);
        const uint64_t v = std::stoull(kv.substr(eq + 1));
        const char *op = k == "rbytes" || k == "rios"   ? "Read"
                         : k == "wbytes" || k == "wios" ? "Write"
                                                        : nullptr; // as runc: no discards
        if (!op) continue;
        json e;
        put(e, "major", major);
        put(e, "minor", minor);
        e["op"] = op;
        put(e, "value", v);
        (k.back() == 's' && k.find("ios") != std::string::npos ? ios : bytes).push_back(e);
      }
    }
    if (!bytes.empty()) s["blkio"]["ioServiceBytesRecursive"] = bytes;
    if (!ios.empty()) s["blkio"]["ioServicedRecursive"] = ios;
  }
  for (const auto &size : sizes) {
    json h;
    put(h, "usage", num(read("hugetlb." + size + ".current")));
    auto ev = read("hugetlb." + size + ".events");
    h["failcnt"] = ev ? parse_flat_keyed(*ev)["max"] : 0;
    s["hugetlb"][size] = h;
  }
  return s;
}

namespace {

// Field order of runc's types (events.go): within one object only the keys it
// has are compared, so one list serves every struct (e.g. usage is after
// limit in a memory entry and after cache in memory).
constexpr const char *kRuncOrder[] = {"type",
                                      "id",
                                      "data",
                                      "cpu",
                                      "cpuset",
                                      "memory",
                                      "pids",
                                      "blkio",
                                      "hugetlb",
                                      "intel_rdt",
                                      "network_interfaces",
                                      "current",
                                      "cache",
                                      "limit",
                                      "usage",
                                      "max",
                                      "failcnt",
                                      "swap",
                                      "total",
                                      "percpu",
                                      "percpu_kernel",
                                      "percpu_user",
                                      "kernel",
                                      "kernelTCP",
                                      "user",
                                      "raw",
                                      "throttling",
                                      "periods",
                                      "throttledPeriods",
                                      "throttledTime",
                                      "cpus",
                                      "cpu_exclusive",
                                      "mems",
                                      "mem_hardwall",
                                      "mem_exclusive",
                                      "memory_migrate",
                                      "memory_spread_page",
                                      "memory_spread_slab",
                                      "memory_pressure",
                                      "sched_load_balance",
                                      "sched_relax_domain_level",
                                      "ioServiceBytesRecursive",
                                      "ioServicedRecursive",
                                      "ioQueueRecursive",
                                      "ioServiceTimeRecursive",
                                      "ioWaitTimeRecursive",
                                      "ioMergedRecursive",
                                      "ioTimeRecursive",
                                      "sectorsRecursive",
                                      "major",
                                      "minor",
                                      "op",
                                      "value"};

size_t rank(const std::string &key) {
  for (size_t i = 0; i < std::size(kRuncOrder); ++i)
    if (key == kRuncOrder[i]) return i;
  return std::size(kRuncOrder); // not a struct field: after them, sorted
}

nlohmann::ordered_json in_runc_order(const json &j) {
  if (j.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto &e : j)
      out.push_back(in_runc_order(e));
    return out;
  }
  if (!j.is_object()) return nlohmann::ordered_json(j);
  std::vector<std::string> keys;
  for (const auto &[k, v] : j.items())
    keys.push_back(k);
  std::stable_sort(keys.begin(), keys.end(), [](const std::string &a, const std::string &b) {
    return rank(a) < rank(b); // equal ranks keep json's sorted order
  });
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto &k : keys)
    out[k] = in_runc_order(j.at(k));
  return out;
}

} // namespace

std::string event_line(const std::string &type, const std::string &id, const json *data) {
  json ev = {{"type", type}, {"id", id}};
  if (data) ev["data"] = *data;
  return in_runc_order(ev).dump();
}

} // namespace hull::cgroups
