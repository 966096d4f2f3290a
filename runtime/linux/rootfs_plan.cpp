#include "linux/rootfs_plan.hpp"
#include "util/path.hpp"

#include <sys/mount.h>

#include <algorithm>

#include "linux/sysctl.hpp"
#include "util/error.hpp"

namespace hull::sys {

namespace {

bool has_ns(const spec::Config &c, const std::string &type) {
  if (!c.linux_) return false;
  return std::any_of(c.linux_->namespaces.begin(), c.linux_->namespaces.end(),
                     [&](const spec::Namespace &n) { return n.type == type; });
}

std::string propagation_name(unsigned long f) {
  std::string s = (f & MS_REC) ? "r" : "";
  if (f & MS_SHARED) return s + "shared";
  if (f & MS_SLAVE) return s + "slave";
  if (f & MS_PRIVATE) return s + "private";
  if (f & MS_UNBINDABLE) return s + "unbindable";
  return "none";
}

unsigned long root_propagation(const spec::Config &c) {
  if (!c.linux_ || c.linux_->rootfsPropagation.empty()) return 0;
  unsigned long f = propagation_flag(c.linux_->rootfsPropagation);
  if (f == 0)
    throw Error("linux.rootfsPropagation: unknown propagation \"" + c.linux_->rootfsPropagation +
                "\"");
  return f;
}

} // namespace

std::string clean_path(const std::string &p) {
  std::vector<std::string> parts = clean_components(p);
  std::string out;
  for (const auto &c : parts)
    out += "/" + c;
  return out.empty() ? "/" : out;
}

std::vector<DeviceNode> default_devices() {
  return {
      {"/dev/null", 'c', 1, 3, 0666, 0, 0},    {"/dev/zero", 'c', 1, 5, 0666, 0, 0},
      {"/dev/full", 'c', 1, 7, 0666, 0, 0},    {"/dev/random", 'c', 1, 8, 0666, 0, 0},
      {"/dev/urandom", 'c', 1, 9, 0666, 0, 0}, {"/dev/tty", 'c', 5, 0, 0666, 0, 0},
  };
}

RootfsPlan plan_rootfs(const spec::Config &c, const RootfsOptions &o) {
  RootfsPlan p;
  unsigned long want = root_propagation(c);
  // First the whole tree becomes a slave (or private, when asked for), so no
  // mount made for the container propagates back to the host; the requested
  // propagation is put on "/" at the very end (finalize).
  p.tree_propagation = (want & MS_PRIVATE) ? (MS_PRIVATE | MS_REC) : (MS_SLAVE | MS_REC);
  if (!o.mount_ns) {
    p.tree_propagation = 0;
    p.bind_root = false;
    p.root_switch = RootSwitch::Chroot;
  } else if (o.no_pivot) {
    p.root_switch = RootSwitch::MoveRoot;
  }
  p.setup_dev = true;
  for (const auto &m : c.mounts) {
    PlannedMount pm;
    pm.destination = clean_path(m.destination);
    pm.type = m.type;
    pm.opts = parse_mount_options(m.options);
    if (pm.type == "bind") pm.opts.flags |= MS_BIND; // the type alone means a bind
    pm.source = m.source;
    if (pm.opts.bind() && !pm.source.empty() && pm.source[0] != '/')
      pm.source = clean_path(o.bundle + "/" + pm.source);
    pm.index = p.mounts.size();
    pm.uid_mappings = m.uidMappings;
    pm.gid_mappings = m.gidMappings;
    // Mappings on a bind mount make it idmapped even without the option (as
    // runc), non-recursively unless "ridmap" says so.
    if (pm.opts.bind() && !pm.uid_mappings.empty()) pm.opts.idmap = true;
    if (pm.destination == "/dev" && pm.opts.bind()) p.setup_dev = false;
    if (pm.destination == "/dev" && !pm.opts.bind() && (pm.opts.flags & MS_RDONLY)) {
      // Devices go in first; /dev turns read-only after them.
      pm.opts.flags &= ~MS_RDONLY;
      p.dev_readonly = true;
    }
    p.mounts.push_back(std::move(pm));
  }
  if (p.setup_dev) {
    p.devices = default_devices();
    if (c.linux_) {
      for (const auto &d : c.linux_->devices) {
        DeviceNode n;
        n.path = clean_path(d.path);
        n.type = d.type == "u" ? 'c' : (d.type.empty() ? 'c' : d.type[0]);
        n.major = d.major;
        n.minor = d.minor;
        n.mode = d.fileMode.value_or(0666) & 07777;
        n.uid = d.uid.value_or(0);
        n.gid = d.gid.value_or(0);
        auto same = std::find_if(p.devices.begin(), p.devices.end(),
                                 [&](const DeviceNode &x) { return x.path == n.path; });
        if (same != p.devices.end())
          *same = n;
        else
          p.devices.push_back(n);
      }
    }
    p.console = o.terminal;
  }
  return p;
}

FinalizePlan plan_finalize(const spec::Config &c) {
  FinalizePlan p;
  p.root_readonly = c.root && c.root->readonly;
  if (!c.linux_) return p;
  const auto &l = *c.linux_;
  SysctlNamespaces ns{has_ns(c, "ipc"), has_ns(c, "network"), has_ns(c, "uts")};
  for (const auto &[k, v] : l.sysctl) {
    try {
      check_sysctl(k, ns);
    } catch (Error &e) {
      throw e.context("linux.sysctl");
    }
    p.sysctl.emplace_back(sysctl_path(k), v);
  }
  for (const auto &m : l.maskedPaths)
    p.masked.push_back(clean_path(m));
  for (const auto &r : l.readonlyPaths)
    p.readonly.push_back(clean_path(r));
  p.root_propagation = root_propagation(c);
  if (p.root_propagation)
    for (const auto &m : c.mounts)
      for (unsigned long f : parse_mount_options(m.options).propagation)
        p.mount_propagation.emplace_back(clean_path(m.destination), f);
  return p;
}

std::vector<std::string> RootfsPlan::steps() const {
  std::vector<std::string> s;
  if (tree_propagation) s.push_back("make / " + propagation_name(tree_propagation));
  if (bind_root) s.push_back("bind rootfs onto itself");
  for (const auto &m : mounts) {
    std::string kind = m.opts.bind() ? (m.opts.flags & MS_REC ? "rbind" : "bind") : m.type;
    s.push_back("mount " + kind + " to " + m.destination);
  }
  for (const auto &d : devices)
    s.push_back("create device " + d.path);
  if (setup_dev) s.push_back("create /dev links");
  if (console) s.push_back("create /dev/console");
  if (dev_readonly) s.push_back("remount /dev read-only");
  s.push_back("before_pivot hook");
  switch (root_switch) {
  case RootSwitch::PivotRoot:
    s.push_back("pivot_root");
    break;
  case RootSwitch::MoveRoot:
    s.push_back("move rootfs to / and chroot");
    break;
  case RootSwitch::Chroot:
    s.push_back("chroot");
    break;
  }
  return s;
}

std::vector<std::string> FinalizePlan::steps() const {
  std::vector<std::string> s;
  for (const auto &[k, v] : sysctl)
    s.push_back("write " + k);
  for (const auto &r : readonly)
    s.push_back("make " + r + " read-only");
  for (const auto &m : masked)
    s.push_back("mask " + m);
  if (root_readonly) s.push_back("remount / read-only");
  if (root_propagation) s.push_back("make / " + propagation_name(root_propagation));
  for (const auto &[d, f] : mount_propagation)
    s.push_back("make " + d + " " + propagation_name(f));
  return s;
}

} // namespace hull::sys
