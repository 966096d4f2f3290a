// Test helper: listens on a unix socket, receives one fd (the pty master, as
// runc's --console-socket protocol sends it), writes `input` to it and copies
// what the container prints to stdout until the pty hangs up.
//   console_receiver SOCKET_PATH [INPUT]
#include <cstdio>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int s = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  unlink(argv[1]);
  if (bind(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0 || listen(s, 1) < 0) {
    perror("bind/listen");
    return 1;
  }
  std::puts("listening");
  std::fflush(stdout);
  int c = accept(s, nullptr, nullptr);
  char name[256] = {};
  iovec iov{name, sizeof name - 1};
  alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
  msghdr mh{};
  mh.msg_iov = &iov;
  mh.msg_iovlen = 1;
  mh.msg_control = cbuf;
  mh.msg_controllen = sizeof cbuf;
  if (recvmsg(c, &mh, 0) <= 0) return 1;
  cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  if (!cm || cm->cmsg_type != SCM_RIGHTS) {
    std::puts("no fd received");
    return 1;
  }
  int master;
  std::memcpy(&master, CMSG_DATA(cm), sizeof(int));
  std::printf("got fd, name=%s\n", name);
  std::fflush(stdout);
  if (argc > 2 && write(master, argv[2], std::strlen(argv[2])) < 0) return 1;
  char buf[4096];
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;
    fwrite(buf, 1, size_t(n), stdout);
    std::fflush(stdout);
  }
  return 0;
}
