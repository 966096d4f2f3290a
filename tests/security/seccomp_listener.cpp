// A minimal seccomp notify listener for tests/security: accepts one
// connection on SOCKET, receives the runtime-spec seccomp state JSON plus the
// notify fd (SCM_RIGHTS), writes the JSON to STATE_FILE, then answers every
// notified syscall: "errno=N" makes it fail with N, "success" makes it
// return 0 without running, "continue" lets the kernel run it.
//   seccomp_listener SOCKET STATE_FILE errno=N|success|continue
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

static int die(const char *what) {
  std::fprintf(stderr, "seccomp_listener: %s: %s\n", what, std::strerror(errno));
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s SOCKET STATE_FILE errno=N|success|continue\n", argv[0]);
    return 2;
  }
  std::string mode = argv[3];
  int err = 0;
  if (mode.rfind("errno=", 0) == 0)
    err = std::atoi(mode.c_str() + 6);
  else if (mode != "success" && mode != "continue")
    return die("bad mode");

  int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", argv[1]);
  unlink(argv[1]);
  if (bind(srv, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0) return die("bind");
  if (listen(srv, 1) < 0) return die("listen");
  int c = accept4(srv, nullptr, nullptr, SOCK_CLOEXEC);
  if (c < 0) return die("accept");

  static char buf[1 << 16];
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
  iovec iov{buf, sizeof buf - 1};
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = ctl;
  mh.msg_controllen = sizeof ctl;
  ssize_t n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
  if (n <= 0) return die("recvmsg");
  std::string state(buf, size_t(n));
  // The sender may split the document; read until it closes.
  while ((n = read(c, buf, sizeof buf)) > 0)
    state.append(buf, size_t(n));
  int nfd = -1;
  for (cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
    if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
      std::memcpy(&nfd, CMSG_DATA(h), sizeof(int));
  FILE *out = std::fopen(argv[2], "w");
  if (!out) return die("open state file");
  std::fprintf(out, "%s\n", state.c_str());
  std::fclose(out);
  if (nfd < 0) {
    std::fprintf(stderr, "seccomp_listener: no fd received\n");
    return 1;
  }

  for (;;) {
    pollfd pfd{nfd, POLLIN, 0};
    if (poll(&pfd, 1, -1) < 0) {
      if (errno == EINTR) continue;
      return die("poll");
    }
    if (!(pfd.revents & POLLIN)) return 0; // POLLHUP: every user of the filter is gone
    seccomp_notif req{};
    if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
      if (errno == EINTR) continue;
      return errno == ENOENT ? 0 : die("NOTIF_RECV"); // ENOENT: the filter is gone
    }
    seccomp_notif_resp resp{};
    resp.id = req.id;
    if (mode == "continue")
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else if (err)
      resp.error = -err;
    if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
      return die("NOTIF_SEND");
    std::fprintf(stderr, "seccomp_listener: answered syscall %d of pid %u\n", req.data.nr, req.pid);
  }
}
