#include "linux/cgroup_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "linux/mounts.hpp"
#include "util/error.hpp"
#include "util/safe_path.hpp"

namespace hull::sys {

namespace {

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep))
    out.push_back(cur);
  return out;
}

std::string read_text(const std::string &path) {
  std::ifstream in(path);
  if (!in) throw_errno("read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// mountinfo escapes spaces and the like as \040.
std::string unescape(const std::string &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out += static_cast<char>(v);
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

const char *kKnown[] = {"cpuset",  "cpu",     "cpuacct", "blkio",      "memory",
                        "devices", "freezer", "net_cls", "perf_event", "net_prio",
                        "hugetlb", "pids",    "rdma",    "misc",       "debug"};

bool known_controller(const std::string &o) {
  if (o.rfind("name=", 0) == 0) return true;
  for (const char *k : kKnown)
    if (o == k) return true;
  return false;
}

} // namespace

std::string CgroupHierarchy::name() const {
  auto p = mountpoint.rfind('/');
  return p == std::string::npos ? mountpoint : mountpoint.substr(p + 1);
}

std::string CgroupHierarchy::bind_source() const {
  std::string rel = cgroup;
  if (root != "/" && rel.rfind(root, 0) == 0) rel = rel.substr(root.size());
  if (rel == "/") rel.clear();
  return mountpoint + rel;
}

std::vector<CgroupHierarchy> parse_cgroup_hierarchies(const std::string &mountinfo,
                                                      const std::string &proc_cgroup) {
  // /proc/self/cgroup: "4:cpu,cpuacct:/path", "1:name=systemd:/path", "0::/path".
  std::map<std::string, std::string> paths; // controller list (or "" for v2) -> path
  for (const auto &line : split(proc_cgroup, '\n')) {
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    paths[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
  }
  std::vector<CgroupHierarchy> out;
  for (const auto &line : split(mountinfo, '\n')) {
    auto f = split(line, ' ');
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-")
      ++dash;
    if (dash < 5 || dash + 3 > f.size()) continue;
    const std::string &fstype = f[dash + 1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupHierarchy h;
    h.root = unescape(f[3]);
    h.mountpoint = unescape(f[4]);
    h.v2 = fstype == "cgroup2";
    if (!h.v2) {
      for (const auto &o : split(f[dash + 3], ','))
        if (known_controller(o)) h.controllers.push_back(o);
      if (h.controllers.empty()) continue;
      std::string key;
      for (const auto &c : h.controllers)
        key += (key.empty() ? "" : ",") + c;
      auto it = paths.find(key);
      if (it == paths.end()) continue;
      h.cgroup = it->second;
    } else {
      auto it = paths.find("");
      if (it == paths.end()) continue;
      h.cgroup = it->second;
    }
    // The same hierarchy mounted twice (e.g. in a nested container) counts once.
    bool dup = false;
    for (const auto &x : out)
      dup = dup || (x.controllers == h.controllers && x.v2 == h.v2);
    if (!dup) out.push_back(std::move(h));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>>
cgroup_symlinks(const std::vector<CgroupHierarchy> &hs) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto &h : hs) {
    if (h.v2 || h.controllers.size() < 2) continue;
    for (const auto &c : h.controllers)
      if (c != h.name() && c.rfind("name=", 0) != 0) out.emplace_back(c, h.name());
  }
  return out;
}

void mount_cgroup(int root_fd, const PlannedMount &m, const RootfsOptions &o) {
  const std::string &dest = m.destination;
  const bool ro = (m.opts.flags & MS_RDONLY) != 0;
  const unsigned long base = MS_NOSUID | MS_NODEV | MS_NOEXEC |
                             (m.opts.flags & (MS_RELATIME | MS_NOATIME | MS_STRICTATIME));
  auto hs =
      parse_cgroup_hierarchies(read_text("/proc/self/mountinfo"), read_text("/proc/self/cgroup"));
  bool any_v1 = false;
  for (const auto &h : hs)
    any_v1 = any_v1 || !h.v2;

  unique_fd target;
  try {
    target = mkdir_in_root(root_fd, dest, false);
  } catch (Error &e) {
    throw e.context("mount cgroup to " + dest);
  }
  MountOptions bind_opts;
  bind_opts.flags = MS_BIND | base | (ro ? MS_RDONLY : 0);

  auto bind_cgroup = [&](const CgroupHierarchy &h, int tfd, const std::string &shown) {
    unique_fd src(::open(h.bind_source().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!src) throw_errno("mount cgroup to " + shown + ": open " + h.bind_source());
    bind_fd(src.get(), tfd, false, "mount cgroup to " + shown);
    unique_fd top = open_in_root(root_fd, shown, O_PATH);
    bind_remount(top.get(), shown, bind_opts);
  };

  if (!any_v1) {
    // Pure cgroup v2.
    const CgroupHierarchy *v2 = hs.empty() ? nullptr : &hs.front();
    if (o.cgroup_ns || !v2) {
      if (::mount("cgroup2", fd_path(target.get()).c_str(), "cgroup2", base | (ro ? MS_RDONLY : 0),
                  nullptr) != 0)
        throw_errno("mount cgroup2 to " + dest);
    } else {
      bind_cgroup(*v2, target.get(), dest);
    }
    return;
  }

  // cgroup v1 (or hybrid): tmpfs, one entry per hierarchy, links, ro last.
  if (::mount("tmpfs", fd_path(target.get()).c_str(), "tmpfs", base, "mode=755") != 0)
    throw_errno("mount tmpfs to " + dest);
  unique_fd dir = open_in_root(root_fd, dest, O_PATH | O_DIRECTORY);
  for (const auto &h : hs) {
    const std::string sub = dest + "/" + h.name();
    unique_fd t = mkdir_in_root(root_fd, sub, false);
    bool done = false;
    if (o.cgroup_ns) {
      std::string data;
      for (const auto &c : h.controllers)
        data += (data.empty() ? "" : ",") + c;
      const char *type = h.v2 ? "cgroup2" : "cgroup";
      std::string source = h.v2 ? "cgroup2" : (data == "name=systemd" ? "systemd" : "cgroup");
      if (::mount(source.c_str(), fd_path(t.get()).c_str(), type, base | (ro ? MS_RDONLY : 0),
                  data.empty() ? nullptr : data.c_str()) == 0)
        done = true;
      else if (errno != EPERM && errno != EBUSY)
        throw_errno("mount " + std::string(type) + " to " + sub);
    }
    if (!done) bind_cgroup(h, t.get(), sub);
  }
  for (const auto &[link, target_name] : cgroup_symlinks(hs))
    if (::symlinkat(target_name.c_str(), dir.get(), link.c_str()) != 0 && errno != EEXIST)
      throw_errno("symlink " + dest + "/" + link);
  if (ro) {
    unique_fd top = open_in_root(root_fd, dest, O_PATH);
    if (::mount(nullptr, fd_path(top.get()).c_str(), nullptr, MS_REMOUNT | MS_RDONLY | base,
                nullptr) != 0)
      throw_errno("remount " + dest + " read-only");
  }
}

} // namespace hull::sys
