#include "util/unix_socket.hpp"

#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>

#include "util/error.hpp"

namespace hull {

unique_fd connect_unix(const std::string &path, const std::string &what) {
  unique_fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) throw_errno(what + ": socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    throw Error(what + ": bad socket path \"" + path + "\"");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (::connect(s.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0)
    throw_errno("connect to " + what + " " + path);
  return s;
}

void send_with_fd(int sock, const std::string &payload, int fd, const std::string &what) {
  iovec iov{const_cast<char *>(payload.data()), payload.size()};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))] = {};
  mh.msg_control = cbuf;
  mh.msg_controllen = sizeof cbuf;
  cmsghdr *c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ssize_t n;
  do
    n = ::sendmsg(sock, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) throw_errno(what + ": sendmsg");
  for (size_t off = size_t(n); off < payload.size();) {
    ssize_t w = ::send(sock, payload.data() + off, payload.size() - off, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw_errno(what + ": send");
    off += size_t(w);
  }
}

} // namespace hull
