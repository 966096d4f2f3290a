#include "linux/idmap.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/mount_ns.hpp"
#include "linux/rootfs_plan.hpp"
#include "util/error.hpp"

namespace hull::sys {

namespace {

std::string mappings_text(const std::vector<spec::IdMapping> &maps) {
  std::string s;
  for (const auto &m : maps)
    s += std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " +
         std::to_string(m.size) + "\n";
  return s;
}

void write_file(const std::string &path, const std::string &text) {
  unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_errno("write " + path);
}

std::string what_of(const PlannedMount &m) {
  return "bind mount " + m.source + " to " + m.destination + ": idmap";
}

// A user namespace carrying the mount's uidMappings/gidMappings, written
// from the caller's user namespace: a child unshares it and waits until we
// hold its fd.
unique_fd mapping_userns(const PlannedMount &m) {
  int ready[2], done[2];
  if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(done, O_CLOEXEC) != 0)
    throw_errno(what_of(m) + ": pipe");
  unique_fd r0(ready[0]), r1(ready[1]), d0(done[0]), d1(done[1]);
  pid_t pid = ::fork();
  if (pid < 0) throw_errno(what_of(m) + ": fork");
  if (pid == 0) {
    // Report our pid as the mounted /proc numbers it (the caller may be in a
    // new pid namespace while /proc still is the host's): "-" on failure.
    char buf[32] = "-";
    ssize_t n = 1;
    if (::unshare(CLONE_NEWUSER) == 0) {
      n = ::readlink("/proc/self", buf, sizeof buf - 1);
      if (n <= 0) buf[0] = '-', n = 1;
    }
    if (::write(r1.get(), buf, static_cast<size_t>(n)) != n) _exit(1);
    r1.reset();
    d1.reset();
    char c;
    (void)!::read(d0.get(), &c, 1); // returns when the parent closes its end
    _exit(0);
  }
  r1.reset();
  d0.reset();
  auto reap = [&] {
    d1.reset();
    int st;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  };
  try {
    char buf[32] = {};
    ssize_t n = ::read(r0.get(), buf, sizeof buf - 1);
    if (n <= 0 || buf[0] == '-') throw Error(what_of(m) + ": create user namespace", EPERM);
    const std::string proc = "/proc/" + std::string(buf, static_cast<size_t>(n));
    write_file(proc + "/uid_map", mappings_text(m.uid_mappings));
    write_file(proc + "/gid_map", mappings_text(m.gid_mappings));
    unique_fd ns(::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) throw_errno(what_of(m) + ": open user namespace");
    reap();
    return ns;
  } catch (...) {
    reap();
    throw;
  }
}

unique_fd clone_with_idmap(const PlannedMount &m, int userns_fd) {
  const bool rec = (m.opts.flags & MS_REC) != 0;
  unique_fd tree(::open_tree(AT_FDCWD, m.source.c_str(),
                             OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0)));
  if (!tree) throw_errno("bind mount " + m.source + " to " + m.destination);
  struct mount_attr a = {};
  a.attr_set = MOUNT_ATTR_IDMAP;
  a.userns_fd = static_cast<uint64_t>(userns_fd);
  if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | (m.opts.idmap_rec ? AT_RECURSIVE : 0), &a,
                      sizeof a) != 0)
    throw_errno(what_of(m));
  return tree;
}

} // namespace

unique_fd idmapped_tree(const PlannedMount &m, int userns_fd) {
  if (userns_fd >= 0) return clone_with_idmap(m, userns_fd);
  if (m.uid_mappings.empty() || m.gid_mappings.empty())
    throw Error(what_of(m) +
                ": no uidMappings/gidMappings and no user namespace to take them from");
  unique_fd ns = mapping_userns(m);
  return clone_with_idmap(m, ns.get());
}

unique_fd bind_source_for(pid_t pid, const spec::Config &c, const std::string &bundle,
                          size_t index) {
  RootfsOptions o;
  o.bundle = bundle;
  const RootfsPlan plan = plan_rootfs(c, o);
  if (index >= plan.mounts.size() || !plan.mounts[index].opts.bind())
    throw Error("container init asked for a bind mount that config.json does not have");
  const PlannedMount &m = plan.mounts[index];
  if (!m.opts.idmap)
    return in_mount_ns(pid, [&] {
      unique_fd tree(::open_tree(AT_FDCWD, m.source.c_str(),
                                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
                                     ((m.opts.flags & MS_REC) ? AT_RECURSIVE : 0)));
      if (!tree) throw_errno("bind mount " + m.source + " to " + m.destination);
      return tree;
    });
  // The namespace holding the ids, made here in the host's user namespace.
  unique_fd ns = m.uid_mappings.empty()
                     ? unique_fd(::open(("/proc/" + std::to_string(pid) + "/ns/user").c_str(),
                                        O_RDONLY | O_CLOEXEC))
                     : mapping_userns(m);
  if (!ns) throw_errno(what_of(m) + ": open the container's user namespace");
  return in_mount_ns(pid, [&] { return clone_with_idmap(m, ns.get()); });
}

} // namespace hull::sys
