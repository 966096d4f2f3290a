// Semantic checks of the "linux" section (config-linux.md).
#include <cstdio>
#include <map>
#include <set>

#include "spec/json_reader.hpp"
#include "spec/spec.hpp"
#include "spec/validate_internal.hpp"

namespace hull::spec::detail {

void check_cpu_list(const std::string &path, const std::string &list) {
  if (list.empty()) return;
  size_t i = 0;
  auto number = [&]() {
    size_t start = i;
    while (i < list.size() && list[i] >= '0' && list[i] <= '9')
      ++i;
    return i > start;
  };
  for (;;) {
    bool ok = number();
    if (ok && i < list.size() && list[i] == '-') {
      ++i;
      ok = number();
    }
    if (!ok) bad(path, "invalid list " + quote(list));
    if (i == list.size()) return;
    if (list[i] != ',') bad(path, "invalid list " + quote(list));
    ++i;
  }
}

namespace {

// Namespaces by type: "" when new, the path when joined; absent if not listed.
using NsMap = std::map<std::string, std::string>;

NsMap check_namespaces(const std::vector<Namespace> &nss) {
  NsMap out;
  for (size_t i = 0; i < nss.size(); ++i) {
    std::string base = idx("linux.namespaces", i);
    const auto &ns = nss[i];
    check_known(base + ".type", known_namespace_types(), ns.type, "namespace type");
    if (!out.emplace(ns.type, ns.path).second)
      bad(base + ".type", "duplicate namespace " + quote(ns.type));
    if (!ns.path.empty()) need_absolute(base + ".path", ns.path);
  }
  return out;
}

bool is_new(const NsMap &ns, const char *type) {
  auto it = ns.find(type);
  return it != ns.end() && it->second.empty();
}
bool has(const NsMap &ns, const char *type) {
  return ns.count(type) != 0;
}

void check_user_ns(const Linux &l, const NsMap &ns) {
  if (is_new(ns, "user")) {
    if (l.uidMappings.empty()) bad("linux.uidMappings", "required for a new user namespace");
    if (l.gidMappings.empty()) bad("linux.gidMappings", "required for a new user namespace");
  } else if (!has(ns, "user")) {
    if (!l.uidMappings.empty()) bad("linux.uidMappings", "requires a user namespace");
    if (!l.gidMappings.empty()) bad("linux.gidMappings", "requires a user namespace");
  }
  check_idmappings("linux.uidMappings", l.uidMappings);
  check_idmappings("linux.gidMappings", l.gidMappings);
}

void check_time(const Linux &l, const NsMap &ns) {
  if (l.timeOffsets.empty()) return;
  if (!is_new(ns, "time")) bad("linux.timeOffsets", "requires a new time namespace");
  for (const auto &[clock, off] : l.timeOffsets) {
    std::string base = "linux.timeOffsets[" + quote(clock) + "]";
    if (clock != "monotonic" && clock != "boottime")
      bad(base, "unknown clock (expected \"monotonic\" or \"boottime\")");
    if (off.nanosecs >= 1000000000u) bad(base + ".nanosecs", "must be less than 1000000000");
  }
}

// podman writes the file-type bits into fileMode (020666 for a character
// device); runc and crun use the permission bits. Type bits are accepted when
// they name the device's own type.
void check_device_mode(const std::string &path, const std::string &type, uint32_t mode) {
  constexpr uint32_t kTypeMask = 0170000;
  if (mode & ~(kTypeMask | 07777u))
    bad(path, "out of range (permission bits 0 to 07777, with optional file-type bits)");
  uint32_t ft = mode & kTypeMask;
  if (ft == 0) return;
  uint32_t want = type == "b" ? 0060000u : type == "p" ? 0010000u : 0020000u;
  if (ft != want) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "file-type bits 0%o do not match type ", ft);
    bad(path, buf + quote(type));
  }
}

void check_devices(const std::vector<Device> &devs) {
  for (size_t i = 0; i < devs.size(); ++i) {
    std::string base = idx("linux.devices", i);
    const auto &d = devs[i];
    if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p")
      bad(base + ".type", "unknown device type " + quote(d.type) + " (expected c, b, u or p)");
    need_absolute(base + ".path", d.path);
    if (d.fileMode) check_device_mode(base + ".fileMode", d.type, *d.fileMode);
    // what mknod's dev_t holds (12-bit major, 20-bit minor); past it mknod
    // failed with a bare "invalid argument"
    if (d.type != "p" && (d.major < 0 || d.major > 4095))
      bad(base + ".major", std::to_string(d.major) + " out of range (0 to 4095)");
    if (d.type != "p" && (d.minor < 0 || d.minor > 1048575))
      bad(base + ".minor", std::to_string(d.minor) + " out of range (0 to 1048575)");
  }
}

void check_resources(const Resources &r) {
  for (size_t i = 0; i < r.devices.size(); ++i) {
    std::string base = idx("linux.resources.devices", i);
    const auto &d = r.devices[i];
    if (!d.type.empty() && d.type != "a" && d.type != "c" && d.type != "b")
      bad(base + ".type", "unknown device type " + quote(d.type) + " (expected a, c or b)");
    if (d.access.find_first_not_of("rwm") != std::string::npos)
      bad(base + ".access", "invalid access " + quote(d.access) + " (letters of \"rwm\")");
  }
  if (r.memory && r.memory->swappiness && *r.memory->swappiness > 100)
    bad("linux.resources.memory.swappiness",
        std::to_string(*r.memory->swappiness) + " out of range (0 to 100)");
  if (r.cpu) {
    check_cpu_list("linux.resources.cpu.cpus", r.cpu->cpus);
    check_cpu_list("linux.resources.cpu.mems", r.cpu->mems);
  }
  for (size_t i = 0; i < r.hugepageLimits.size(); ++i) {
    const std::string &ps = r.hugepageLimits[i].pageSize;
    size_t n = ps.find_first_not_of("0123456789");
    bool ok = n > 0 && n != std::string::npos && ps[0] != '0' && n + 2 == ps.size() &&
              (ps[n] == 'K' || ps[n] == 'M' || ps[n] == 'G') && ps[n + 1] == 'B';
    if (!ok)
      bad(idx("linux.resources.hugepageLimits", i) + ".pageSize",
          "invalid page size " + quote(ps) + " (expected <number>KB, MB or GB)");
  }
}

void check_seccomp(const Seccomp &s) {
  const std::string base = "linux.seccomp";
  check_known(base + ".defaultAction", known_seccomp_actions(), s.defaultAction, "seccomp action");
  if (s.defaultAction == "SCMP_ACT_NOTIFY")
    bad(base + ".defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
  for (size_t i = 0; i < s.architectures.size(); ++i)
    check_known(idx(base + ".architectures", i), known_seccomp_archs(), s.architectures[i],
                "seccomp architecture");
  for (size_t i = 0; i < s.flags.size(); ++i)
    check_known(idx(base + ".flags", i), known_seccomp_flags(), s.flags[i], "seccomp flag");
  bool notify = false;
  for (size_t i = 0; i < s.syscalls.size(); ++i) {
    std::string sb = idx(base + ".syscalls", i);
    const auto &sc = s.syscalls[i];
    if (sc.names.empty()) bad(sb + ".names", "must not be empty");
    for (size_t j = 0; j < sc.names.size(); ++j)
      if (sc.names[j].empty()) bad(idx(sb + ".names", j), "must not be empty");
    check_known(sb + ".action", known_seccomp_actions(), sc.action, "seccomp action");
    notify = notify || sc.action == "SCMP_ACT_NOTIFY";
    for (size_t j = 0; j < sc.args.size(); ++j) {
      std::string ab = idx(sb + ".args", j);
      check_known(ab + ".op", known_seccomp_operators(), sc.args[j].op, "seccomp operator");
      if (sc.args[j].index > 5)
        bad(ab + ".index", std::to_string(sc.args[j].index) + " out of range (0 to 5)");
    }
  }
  if (notify && s.listenerPath.empty())
    bad(base + ".listenerPath", "required when SCMP_ACT_NOTIFY is used");
}

// runc's rule: only namespaced sysctls, and only with their namespace.
void check_sysctl(const Config &c, const std::map<std::string, std::string> &sysctl,
                  const NsMap &ns) {
  static const std::set<std::string> ipc = {
      "kernel.msgmax",      "kernel.msgmnb",      "kernel.msgmni",     "kernel.sem",
      "kernel.shmall",      "kernel.shmmax",      "kernel.shmmni",     "kernel.shm_rmid_forced",
      "kernel.msg_next_id", "kernel.sem_next_id", "kernel.shm_next_id"};
  for (const auto &[raw, value] : sysctl) {
    std::string key = raw;
    for (char &ch : key)
      if (ch == '/') ch = '.';
    std::string path = "linux.sysctl[" + quote(raw) + "]";
    if (ipc.count(key) || key.rfind("fs.mqueue.", 0) == 0) {
      if (!has(ns, "ipc")) bad(path, "requires an ipc namespace");
    } else if (key.rfind("net.", 0) == 0) {
      if (!has(ns, "network")) bad(path, "requires a network namespace");
    } else if (key == "kernel.hostname" || key == "kernel.domainname") {
      if (!has(ns, "uts")) bad(path, "requires a uts namespace");
      // runc refuses kernel.hostname whatever its value: the hostname field is
      // the one way to set it.
      if (key == "kernel.hostname")
        bad(path, "not allowed as it conflicts with the OCI \"hostname\" field");
      // The sysctl is written last: it must agree with the domainname field.
      if (!c.domainname.empty() && c.domainname != value)
        bad(path, quote(value) + " conflicts with domainname " + quote(c.domainname));
    } else {
      bad(path, "not namespaced: would change the host");
    }
  }
}

void check_ifname(const std::string &path, const std::string &name) {
  if (name.empty() || name.size() > 15 || name == "." || name == ".." ||
      name.find_first_of("/: \t\n") != std::string::npos)
    bad(path, "invalid network interface name " + quote(name));
}

void check_paths(const char *base, const std::vector<std::string> &paths) {
  for (size_t i = 0; i < paths.size(); ++i)
    need_absolute(idx(base, i), paths[i]);
}

} // namespace

void check_linux(const Config &c) {
  const Linux &l = *c.linux_;
  NsMap ns = check_namespaces(l.namespaces);
  check_user_ns(l, ns);
  check_time(l, ns);
  if (!c.hostname.empty() && !has(ns, "uts")) bad("hostname", "requires a uts namespace");
  if (!c.domainname.empty() && !has(ns, "uts")) bad("domainname", "requires a uts namespace");
  check_devices(l.devices);
  if (l.resources) check_resources(*l.resources);
  if (!l.rootfsPropagation.empty())
    check_known("linux.rootfsPropagation", known_rootfs_propagations(), l.rootfsPropagation,
                "rootfs propagation");
  if (l.seccomp) check_seccomp(*l.seccomp);
  check_sysctl(c, l.sysctl, ns);
  check_paths("linux.maskedPaths", l.maskedPaths);
  check_paths("linux.readonlyPaths", l.readonlyPaths);
  if (l.intelRdt) {
    const auto &closID = l.intelRdt->closID;
    if (closID == "." || closID == ".." || closID.find('/') != std::string::npos)
      bad("linux.intelRdt.closID", "invalid CLOS id " + quote(closID));
    const auto &mb = l.intelRdt->memBwSchema;
    if (!mb.empty() && mb.rfind("MB:", 0) != 0)
      bad("linux.intelRdt.memBwSchema", "must start with \"MB:\", got " + quote(mb));
  }
  if (l.personality)
    check_known("linux.personality.domain", known_personality_domains(), l.personality->domain,
                "personality domain");
  if (l.memoryPolicy) {
    const auto &mp = *l.memoryPolicy;
    check_known("linux.memoryPolicy.mode", known_mempolicy_modes(), mp.mode, "memory policy mode");
    for (size_t i = 0; i < mp.flags.size(); ++i)
      check_known(idx("linux.memoryPolicy.flags", i), known_mempolicy_flags(), mp.flags[i],
                  "memory policy flag");
    check_cpu_list("linux.memoryPolicy.nodes", mp.nodes);
  }
  if (!l.netDevices.empty() && !has(ns, "network"))
    bad("linux.netDevices", "requires a network namespace");
  for (const auto &[name, dev] : l.netDevices) {
    std::string base = "linux.netDevices[" + quote(name) + "]";
    check_ifname(base, name);
    if (!dev.name.empty()) check_ifname(base + ".name", dev.name);
  }
}

} // namespace hull::spec::detail
