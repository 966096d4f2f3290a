#include "linux/netdev.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

namespace {

// A NETLINK_ROUTE request built attribute by attribute.
struct Request {
  alignas(nlmsghdr) char buf[1024] = {};
  nlmsghdr *hdr() { return reinterpret_cast<nlmsghdr *>(buf); }
  Request(uint16_t type, uint16_t flags, const void *body, size_t len) {
    hdr()->nlmsg_type = type;
    hdr()->nlmsg_flags = NLM_F_REQUEST | flags;
    hdr()->nlmsg_len = NLMSG_LENGTH(len);
    std::memcpy(NLMSG_DATA(hdr()), body, len);
  }
  void attr(uint16_t type, const void *data, size_t len) {
    auto *a = reinterpret_cast<rtattr *>(buf + NLMSG_ALIGN(hdr()->nlmsg_len));
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(len);
    std::memcpy(RTA_DATA(a), data, len);
    hdr()->nlmsg_len = NLMSG_ALIGN(hdr()->nlmsg_len) + RTA_ALIGN(a->rta_len);
  }
};

unique_fd route_socket() {
  unique_fd s(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!s) throw_errno("netlink socket");
  return s;
}

// Sends req; for a dump, hands every reply message to each(); otherwise
// waits for the ACK. Throws with the kernel's errno.
template <class F> void talk(int s, Request &req, const std::string &what, F each) {
  req.hdr()->nlmsg_flags |= NLM_F_ACK;
  if (::send(s, req.buf, req.hdr()->nlmsg_len, 0) < 0) throw_errno(what);
  alignas(nlmsghdr) char buf[16384];
  for (;;) {
    ssize_t n = ::recv(s, buf, sizeof buf, 0);
    if (n < 0) throw_errno(what);
    for (auto *h = reinterpret_cast<nlmsghdr *>(buf); NLMSG_OK(h, size_t(n));
         h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_DONE) return;
      if (h->nlmsg_type == NLMSG_ERROR) {
        int err = -reinterpret_cast<nlmsgerr *>(NLMSG_DATA(h))->error;
        if (err != 0) throw_err(what, err);
        return;
      }
      each(h);
    }
  }
}
void talk(int s, Request &req, const std::string &what) {
  talk(s, req, what, [](nlmsghdr *) {});
}

// One address to carry over: the ifaddrmsg and its attributes.
struct Addr {
  ifaddrmsg msg;
  std::vector<std::pair<uint16_t, std::string>> attrs;
};

// The interface's global-scope addresses (the kernel drops them on a move).
std::vector<Addr> global_addresses(int s, int index, const std::string &what) {
  ifaddrmsg q = {};
  Request req(RTM_GETADDR, NLM_F_DUMP, &q, sizeof q);
  std::vector<Addr> out;
  talk(s, req, what + ": list addresses", [&](nlmsghdr *h) {
    if (h->nlmsg_type != RTM_NEWADDR) return;
    auto *m = reinterpret_cast<ifaddrmsg *>(NLMSG_DATA(h));
    if (int(m->ifa_index) != index || m->ifa_scope != RT_SCOPE_UNIVERSE) return;
    Addr a{*m, {}};
    int len = int(IFA_PAYLOAD(h));
    for (auto *r = IFA_RTA(m); RTA_OK(r, len); r = RTA_NEXT(r, len))
      if (r->rta_type == IFA_LOCAL || r->rta_type == IFA_ADDRESS || r->rta_type == IFA_BROADCAST)
        a.attrs.emplace_back(r->rta_type,
                             std::string(static_cast<char *>(RTA_DATA(r)), RTA_PAYLOAD(r)));
    out.push_back(std::move(a));
  });
  return out;
}

// RTM_NEWLINK: interface `index` into the namespace ns_fd, named `name`.
void move_link(int s, int index, int ns_fd, const std::string &name, const std::string &what) {
  ifinfomsg m = {};
  m.ifi_family = AF_UNSPEC;
  m.ifi_index = index;
  Request req(RTM_NEWLINK, 0, &m, sizeof m);
  uint32_t fd = uint32_t(ns_fd);
  req.attr(IFLA_NET_NS_FD, &fd, sizeof fd);
  req.attr(IFLA_IFNAME, name.c_str(), name.size() + 1);
  talk(s, req, what);
}

unique_fd open_ns(const std::string &path) {
  unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw_errno("open network namespace " + path);
  return fd;
}

// Runs fn with this (single-threaded) process in the namespace ns_fd.
template <class F> void in_netns(int ns_fd, F fn) {
  unique_fd self = open_ns("/proc/self/ns/net");
  if (::setns(ns_fd, CLONE_NEWNET) != 0) throw_errno("join the container's network namespace");
  try {
    fn();
  } catch (...) {
    ::setns(self.get(), CLONE_NEWNET);
    throw;
  }
  if (::setns(self.get(), CLONE_NEWNET) != 0)
    throw_errno("return to the runtime's network namespace");
}

bool creates_netns(const spec::Linux &l) {
  for (const auto &n : l.namespaces)
    if (n.type == "network") return n.path.empty();
  return false;
}

} // namespace

std::vector<NetDeviceMove> plan_net_devices(const spec::Linux &l) {
  std::vector<NetDeviceMove> out;
  for (const auto &[name, dev] : l.netDevices)
    out.push_back({name, dev.name.empty() ? name : dev.name});
  return out;
}

void move_net_devices(pid_t pid, const spec::Linux &l) {
  const auto moves = plan_net_devices(l);
  if (moves.empty()) return;
  unique_fd target = open_ns("/proc/" + std::to_string(pid) + "/ns/net");
  unique_fd s = route_socket();
  for (const auto &mv : moves) {
    const std::string what = "linux.netDevices[\"" + mv.host_name + "\"]: move " + mv.host_name +
                             " into the container as " + mv.container_name;
    int index = int(::if_nametoindex(mv.host_name.c_str()));
    if (index == 0) throw_errno(what);
    std::vector<Addr> addrs = global_addresses(s.get(), index, what);
    move_link(s.get(), index, target.get(), mv.container_name, what);
    if (addrs.empty()) continue;
    in_netns(target.get(), [&] {
      unique_fd inner = route_socket();
      int now = int(::if_nametoindex(mv.container_name.c_str()));
      if (now == 0) throw_errno(what);
      for (auto &a : addrs) {
        a.msg.ifa_index = uint32_t(now);
        Request req(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &a.msg, sizeof a.msg);
        for (const auto &[type, data] : a.attrs)
          req.attr(type, data.data(), data.size());
        talk(inner.get(), req, what + ": restore address");
      }
    });
  }
}

void return_net_devices(pid_t pid, const spec::Linux &l) {
  const auto moves = plan_net_devices(l);
  if (moves.empty() || !creates_netns(l)) return;
  // An init that is dead (a zombie has no namespaces left) took its network
  // namespace with it: the kernel has already handled the devices.
  unique_fd container(
      ::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC));
  if (!container && (errno == ENOENT || errno == ESRCH)) return;
  if (!container) throw_errno("open the network namespace of " + std::to_string(pid));
  unique_fd host = open_ns("/proc/self/ns/net");
  in_netns(container.get(), [&] {
    unique_fd s = route_socket();
    for (const auto &mv : moves) {
      int index = int(::if_nametoindex(mv.container_name.c_str()));
      if (index == 0) continue; // gone (deleted inside the container)
      move_link(s.get(), index, host.get(), mv.host_name,
                "linux.netDevices[\"" + mv.host_name + "\"]: move " + mv.container_name +
                    " back to the host as " + mv.host_name);
    }
  });
}

} // namespace hull::sys
