#include "linux/namespaces.hpp"

#include <cstring>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {
namespace {

void write_file(const std::string &path, const std::string &text) {
  unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw_errno("open " + path);
  if (::write(fd.get(), text.data(), text.size()) != ssize_t(text.size()))
    throw_errno("write " + path);
}

} // namespace

int namespace_flag(const std::string &t) {
  if (t == "pid") return CLONE_NEWPID;
  if (t == "network") return CLONE_NEWNET;
  if (t == "mount") return CLONE_NEWNS;
  if (t == "ipc") return CLONE_NEWIPC;
  if (t == "uts") return CLONE_NEWUTS;
  if (t == "user") return CLONE_NEWUSER;
  if (t == "cgroup") return CLONE_NEWCGROUP;
  if (t == "time") return CLONE_NEWTIME;
  return 0;
}

bool NsPlan::has(const char *type) const {
  std::string t = type;
  for (auto &j : joins)
    if (j.type == t) return true;
  if (t == "pid") return new_pid || !pid_path.empty();
  if (t == "user") return new_user;
  if (t == "mount") return new_mount;
  if (t == "uts") return new_uts;
  if (t == "network") return new_net;
  if (t == "ipc") return new_ipc;
  if (t == "cgroup") return new_cgroup;
  if (t == "time") return new_time;
  return false;
}

NsPlan plan_namespaces(const spec::Linux *lnx) {
  NsPlan p;
  if (!lnx) return p;
  for (const auto &ns : lnx->namespaces) {
    int flag = namespace_flag(ns.type);
    if (flag == 0) throw Error("unknown namespace type \"" + ns.type + "\"");
    if (!ns.path.empty()) {
      if (ns.type == "pid") {
        p.pid_path = ns.path;
      } else {
        NsJoin j{ns.type, ns.path, flag};
        if (ns.type == "user") {
          p.join_user = true;
          p.joins.insert(p.joins.begin(), j);
        } else {
          p.joins.push_back(j);
        }
      }
      continue;
    }
    if (ns.type == "user") {
      p.new_user = true;
      p.clone_flags |= CLONE_NEWUSER;
    } else if (ns.type == "pid") {
      p.new_pid = true;
      p.clone_flags |= CLONE_NEWPID;
    } else {
      p.unshare_flags |= flag;
      if (ns.type == "mount") p.new_mount = true;
      if (ns.type == "uts") p.new_uts = true;
      if (ns.type == "network") p.new_net = true;
      if (ns.type == "ipc") p.new_ipc = true;
      if (ns.type == "cgroup") p.new_cgroup = true;
      if (ns.type == "time") p.new_time = true;
    }
  }
  return p;
}

std::string format_id_map(const std::vector<spec::IdMapping> &m) {
  std::string s;
  for (const auto &e : m)
    s += std::to_string(e.containerID) + " " + std::to_string(e.hostID) + " " +
         std::to_string(e.size) + "\n";
  return s;
}

void write_id_maps(pid_t pid, const std::vector<spec::IdMapping> &uids,
                   const std::vector<spec::IdMapping> &gids) {
  std::string base = "/proc/" + std::to_string(pid) + "/";
  if (::geteuid() != 0) {
    try {
      write_file(base + "setgroups", "deny");
    } catch (const Error &) {
    }
  }
  if (!uids.empty()) write_file(base + "uid_map", format_id_map(uids));
  if (!gids.empty()) write_file(base + "gid_map", format_id_map(gids));
}

void check_namespace_paths(const spec::Linux *lnx) {
  if (!lnx) return;
  for (size_t i = 0; i < lnx->namespaces.size(); ++i) {
    const auto &n = lnx->namespaces[i];
    if (n.path.empty()) continue;
    const std::string field = "linux.namespaces[" + std::to_string(i) + "].path";
    // O_NONBLOCK: a FIFO must not block create (setns would refuse it anyway)
    unique_fd fd(::open(n.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd) throw_errno(field + ": open " + n.path);
    int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (type < 0) throw Error(field + ": " + n.path + " is not a namespace file");
    if (type != namespace_flag(n.type))
      throw Error(field + ": " + n.path + " is not a " + n.type + " namespace");
  }
}

void join_namespaces(const std::vector<NsJoin> &joins, bool users) {
  for (const auto &j : joins) {
    if ((j.flag == CLONE_NEWUSER) != users) continue;
    unique_fd fd(::open(j.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd) throw_errno("open " + j.type + " namespace " + j.path);
    if (::setns(fd.get(), j.flag) < 0) throw_errno("setns " + j.type + " namespace " + j.path);
  }
}

void write_time_offsets(const std::map<std::string, spec::TimeOffset> &offsets) {
  std::string s;
  for (const auto &[clock, off] : offsets)
    s += clock + " " + std::to_string(off.secs) + " " + std::to_string(off.nanosecs) + "\n";
  if (!s.empty()) write_file("/proc/self/timens_offsets", s);
}

void loopback_up() {
  unique_fd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno("socket for the loopback interface");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0) throw_errno("get flags of lo");
  if (ifr.ifr_flags & IFF_UP) return;
  ifr.ifr_flags = short(ifr.ifr_flags | IFF_UP);
  if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0) throw_errno("set lo up");
}

} // namespace hull::sys
