// The "linux" section of config.json (config-linux.md) -> spec::Linux.
#include "spec/parse_internal.hpp"

namespace hull::spec::detail {
namespace {

// Reads {"key": {...}} maps of objects.
template <class T, class F>
void read_object_map(const Obj &o, const char *k, std::map<std::string, T> &out, F &&f) {
  o.with(k, [&](const json &v, const Path &p) {
    if (!v.is_object()) type_error(p, "object", v);
    for (auto it = v.begin(); it != v.end(); ++it) {
      Path ep = p.entry(it.key());
      Obj e(it.value(), ep);
      out.emplace(it.key(), f(e));
    }
  });
}

Device read_device(const Obj &o) {
  Device d;
  o.req_str("type", d.type);
  o.req_str("path", d.path);
  // major/minor are required for every type but "p" (fifo).
  if (d.type == "p") {
    o.integer("major", d.major);
    o.integer("minor", d.minor);
  } else {
    o.req_integer("major", d.major);
    o.req_integer("minor", d.minor);
  }
  o.integer("fileMode", d.fileMode);
  o.integer("uid", d.uid);
  o.integer("gid", d.gid);
  return d;
}

MemoryResources read_memory(const Obj &o) {
  MemoryResources m;
  o.integer("limit", m.limit);
  o.integer("reservation", m.reservation);
  o.integer("swap", m.swap);
  o.integer("kernel", m.kernel);
  o.integer("kernelTCP", m.kernelTCP);
  o.integer("swappiness", m.swappiness);
  o.boolean("disableOOMKiller", m.disableOOMKiller);
  o.boolean("useHierarchy", m.useHierarchy);
  o.boolean("checkBeforeUpdate", m.checkBeforeUpdate);
  return m;
}

CPUResources read_cpu(const Obj &o) {
  CPUResources c;
  o.integer("shares", c.shares);
  o.integer("quota", c.quota);
  o.integer("burst", c.burst);
  o.integer("period", c.period);
  o.integer("realtimeRuntime", c.realtimeRuntime);
  o.integer("realtimePeriod", c.realtimePeriod);
  o.str("cpus", c.cpus);
  o.str("mems", c.mems);
  o.integer("idle", c.idle);
  return c;
}

void read_throttle(const Obj &o, const char *k, std::vector<ThrottleDevice> &out) {
  o.objects(k, [&](const Obj &t) {
    ThrottleDevice d;
    t.req_integer("major", d.major);
    t.req_integer("minor", d.minor);
    t.integer("rate", d.rate);
    out.push_back(d);
  });
}

BlockIOResources read_blockio(const Obj &o) {
  BlockIOResources b;
  o.integer("weight", b.weight);
  o.integer("leafWeight", b.leafWeight);
  o.objects("weightDevice", [&](const Obj &w) {
    WeightDevice d;
    w.req_integer("major", d.major);
    w.req_integer("minor", d.minor);
    w.integer("weight", d.weight);
    w.integer("leafWeight", d.leafWeight);
    b.weightDevice.push_back(d);
  });
  read_throttle(o, "throttleReadBpsDevice", b.throttleReadBpsDevice);
  read_throttle(o, "throttleWriteBpsDevice", b.throttleWriteBpsDevice);
  read_throttle(o, "throttleReadIOPSDevice", b.throttleReadIOPSDevice);
  read_throttle(o, "throttleWriteIOPSDevice", b.throttleWriteIOPSDevice);
  return b;
}

SeccompSyscall read_syscall(const Obj &o) {
  SeccompSyscall s;
  s.names = to_strings(o.need("names"), o.at("names"));
  o.req_str("action", s.action);
  o.integer("errnoRet", s.errnoRet);
  o.objects("args", [&](const Obj &a) {
    SeccompArg arg;
    a.req_integer("index", arg.index);
    a.req_integer("value", arg.value);
    a.integer("valueTwo", arg.valueTwo);
    a.req_str("op", arg.op);
    s.args.push_back(arg);
  });
  return s;
}

} // namespace

Resources read_resources(const Obj &o) {
  Resources r;
  o.objects("devices", [&](const Obj &d) {
    DeviceCgroupRule rule;
    rule.allow = to_bool(d.need("allow"), d.at("allow"));
    d.str("type", rule.type);
    d.integer("major", rule.major);
    d.integer("minor", rule.minor);
    d.str("access", rule.access);
    r.devices.push_back(rule);
  });
  o.object("memory", [&](const Obj &m) { r.memory = read_memory(m); });
  o.object("cpu", [&](const Obj &c) { r.cpu = read_cpu(c); });
  o.object("pids", [&](const Obj &p) {
    PidsResources pids;
    p.integer("limit", pids.limit);
    r.pids = pids;
  });
  o.object("blockIO", [&](const Obj &b) { r.blockIO = read_blockio(b); });
  o.objects("hugepageLimits", [&](const Obj &h) {
    HugepageLimit l;
    h.req_str("pageSize", l.pageSize);
    h.req_integer("limit", l.limit);
    r.hugepageLimits.push_back(l);
  });
  o.object("network", [&](const Obj &n) {
    NetworkResources net;
    n.integer("classID", net.classID);
    n.objects("priorities", [&](const Obj &p) {
      NetworkPriority prio;
      p.req_str("name", prio.name);
      p.req_integer("priority", prio.priority);
      net.priorities.push_back(prio);
    });
    r.network = net;
  });
  read_object_map(o, "rdma", r.rdma, [](const Obj &e) {
    RdmaLimit l;
    e.integer("hcaHandles", l.hcaHandles);
    e.integer("hcaObjects", l.hcaObjects);
    return l;
  });
  o.string_map("unified", r.unified);
  return r;
}

Seccomp read_seccomp(const Obj &o) {
  Seccomp s;
  o.req_str("defaultAction", s.defaultAction);
  o.integer("defaultErrnoRet", s.defaultErrnoRet);
  o.strings("architectures", s.architectures);
  o.strings("flags", s.flags);
  o.str("listenerPath", s.listenerPath);
  o.str("listenerMetadata", s.listenerMetadata);
  o.objects("syscalls", [&](const Obj &sc) { s.syscalls.push_back(read_syscall(sc)); });
  return s;
}

Linux read_linux(const Obj &o) {
  Linux l;
  o.objects("namespaces", [&](const Obj &n) {
    Namespace ns;
    n.req_str("type", ns.type);
    n.str("path", ns.path);
    l.namespaces.push_back(std::move(ns));
  });
  o.with("uidMappings",
         [&](const json &v, const Path &p) { l.uidMappings = read_idmappings(v, p); });
  o.with("gidMappings",
         [&](const json &v, const Path &p) { l.gidMappings = read_idmappings(v, p); });
  read_object_map(o, "timeOffsets", l.timeOffsets, [](const Obj &e) {
    TimeOffset t;
    e.integer("secs", t.secs);
    e.integer("nanosecs", t.nanosecs);
    return t;
  });
  o.objects("devices", [&](const Obj &d) { l.devices.push_back(read_device(d)); });
  o.str("cgroupsPath", l.cgroupsPath);
  o.object("resources", [&](const Obj &r) { l.resources = read_resources(r); });
  o.str("rootfsPropagation", l.rootfsPropagation);
  o.object("seccomp", [&](const Obj &s) { l.seccomp = read_seccomp(s); });
  o.string_map("sysctl", l.sysctl);
  o.strings("maskedPaths", l.maskedPaths);
  o.strings("readonlyPaths", l.readonlyPaths);
  o.str("mountLabel", l.mountLabel);
  o.object("intelRdt", [&](const Obj &r) {
    IntelRdt rdt;
    r.str("closID", rdt.closID);
    r.str("l3CacheSchema", rdt.l3CacheSchema);
    r.str("memBwSchema", rdt.memBwSchema);
    r.strings("schemata", rdt.schemata);
    r.boolean("enableMonitoring", rdt.enableMonitoring);
    l.intelRdt = rdt;
  });
  o.object("personality", [&](const Obj &p) {
    Personality pers;
    p.req_str("domain", pers.domain);
    p.strings("flags", pers.flags);
    l.personality = pers;
  });
  o.object("memoryPolicy", [&](const Obj &m) {
    MemoryPolicy mp;
    m.req_str("mode", mp.mode);
    m.str("nodes", mp.nodes);
    m.strings("flags", mp.flags);
    l.memoryPolicy = mp;
  });
  read_object_map(o, "netDevices", l.netDevices, [](const Obj &e) {
    NetDevice d;
    e.str("name", d.name);
    return d;
  });
  return l;
}

} // namespace hull::spec::detail
