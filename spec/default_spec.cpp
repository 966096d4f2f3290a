// The config.json `hull spec` writes: the same document as `runc spec`
// (and `runc spec --rootless`), at runtime-spec 1.3.0.
#include <unistd.h>

#include "spec/spec.hpp"

namespace hull::spec {

namespace {

using nlohmann::json;

json mount(const char *dest, const char *type, const char *source, json options) {
  json m = {{"destination", dest}, {"type", type}, {"source", source}};
  if (!options.empty()) m["options"] = std::move(options);
  return m;
}

json default_mounts(bool rootless) {
  json devpts_opts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  // gid=5 (tty) cannot be mapped in a rootless user namespace.
  if (!rootless) devpts_opts.push_back("gid=5");
  json mounts = json::array();
  mounts.push_back(mount("/proc", "proc", "proc", json::array()));
  mounts.push_back(
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  mounts.push_back(mount("/dev/pts", "devpts", "devpts", devpts_opts));
  mounts.push_back(
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  mounts.push_back(mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}));
  // A fresh sysfs needs a network namespace owned by our user namespace;
  // rootless containers bind the host's /sys instead.
  if (rootless)
    mounts.push_back(mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}));
  else
    mounts.push_back(mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}));
  mounts.push_back(
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}));
  return mounts;
}

} // namespace

nlohmann::json default_spec(bool rootless) {
  const json caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  json process = {
      {"terminal", true},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", {"sh"}},
      {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
      {"cwd", "/"},
      {"capabilities",
       {{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"ambient", caps}}},
      {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
      {"noNewPrivileges", true},
  };
  json namespaces = json::array();
  for (const char *t : {"pid", "network", "ipc", "uts", "mount"}) {
    if (rootless && std::string(t) == "network") continue; // no netns we could configure
    namespaces.push_back({{"type", t}});
  }
  json linux_ = {
      {"namespaces", namespaces},
      {"maskedPaths",
       {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
        "/proc/scsi"}},
      {"readonlyPaths", {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
  };
  if (rootless) {
    linux_["namespaces"].push_back({{"type", "user"}});
    linux_["uidMappings"] = {{{"containerID", 0}, {"hostID", getuid()}, {"size", 1}}};
    linux_["gidMappings"] = {{{"containerID", 0}, {"hostID", getgid()}, {"size", 1}}};
  } else {
    linux_["resources"] = {{"devices", {{{"allow", false}, {"access", "rwm"}}}}};
  }
  return {
      {"ociVersion", kSpecVersion},
      {"process", process},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "hull"},
      {"mounts", default_mounts(rootless)},
      {"linux", linux_},
  };
}

} // namespace hull::spec
