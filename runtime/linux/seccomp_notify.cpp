// Handing the seccomp notify fd to linux.seccomp.listenerPath: a unix stream
// connection carrying the runtime-spec "seccomp state" JSON with the fd
// attached as SCM_RIGHTS (runtime-spec config-linux.md, "seccomp state").
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "linux/seccomp.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

std::string seccomp_state_json(const spec::Seccomp &sc, const spec::State &state, int init_pid) {
  nlohmann::json j = nlohmann::json::object();
  j["ociVersion"] = state.ociVersion;
  j["fds"] = nlohmann::json::array({"seccompFd"});
  j["pid"] = init_pid;
  j["metadata"] = sc.listenerMetadata;
  j["state"] = spec::state_to_json(state);
  return j.dump();
}

void send_to_listener(const spec::Seccomp &sc, int notify_fd, const spec::State &state,
                      int init_pid) {
  const std::string &path = sc.listenerPath;
  const std::string what = "send seccomp fd to listener " + path;
  if (path.empty()) throw Error(what + ": linux.seccomp.listenerPath is empty");
  unique_fd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) throw_errno(what + ": socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) throw Error(what + ": socket path is too long");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (connect(sock.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0)
    throw_errno(what + ": connect");

  std::string msg = seccomp_state_json(sc, state, init_pid);
  iovec iov{msg.data(), msg.size()};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = ctl;
  mh.msg_controllen = sizeof ctl;
  cmsghdr *c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &notify_fd, sizeof(int));
  ssize_t n;
  do
    n = sendmsg(sock.get(), &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno(what + ": sendmsg");
  // The fd travels with the first byte; send what a short write left over.
  size_t off = size_t(n);
  while (off < msg.size()) {
    ssize_t w = send(sock.get(), msg.data() + off, msg.size() - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw_errno(what + ": send");
    off += size_t(w);
  }
}

} // namespace hull::sys
