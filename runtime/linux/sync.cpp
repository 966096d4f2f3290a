#include "linux/sync.hpp"

#include <cstring>
#include <sys/socket.h>
#include <vector>

#include "util/error.hpp"

namespace hull::sys {

void SyncChannel::pair(SyncChannel &a, SyncChannel &b) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) throw_errno("socketpair");
  a = SyncChannel(unique_fd(sv[0]));
  b = SyncChannel(unique_fd(sv[1]));
}

void SyncChannel::send(Msg type, const std::string &text, int fd) {
  std::vector<char> buf(1 + text.size());
  buf[0] = char(type);
  std::memcpy(buf.data() + 1, text.data(), text.size());
  iovec iov{buf.data(), buf.size()};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
  if (fd >= 0) {
    std::memset(cbuf, 0, sizeof cbuf);
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  while (::sendmsg(fd_.get(), &mh, MSG_NOSIGNAL) < 0) {
    if (errno == EINTR) continue;
    throw_errno("sync channel send");
  }
}

bool SyncChannel::recv(Message &out) {
  std::vector<char> buf(65536);
  iovec iov{buf.data(), buf.size()};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
  mh.msg_control = cbuf;
  mh.msg_controllen = sizeof cbuf;
  ssize_t n;
  while ((n = ::recvmsg(fd_.get(), &mh, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno == EINTR) continue;
    if (errno == ECONNRESET) return false;
    throw_errno("sync channel receive");
  }
  if (n == 0) return false;
  out.type = Msg(buf[0]);
  out.text.assign(buf.data() + 1, size_t(n - 1));
  out.fd.reset();
  for (cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
      out.fd.reset(fd);
    }
  }
  return true;
}

Message SyncChannel::expect(Msg want) {
  Message m;
  if (!recv(m)) throw Error("container init exited unexpectedly");
  if (m.type == Msg::error) throw Error(m.text);
  if (m.type != want)
    throw Error("sync channel: unexpected message " + std::to_string(int(m.type)));
  return m;
}

} // namespace hull::sys
