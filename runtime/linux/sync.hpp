// The channel between `hull create` and the container init: a
// SOCK_SEQPACKET socketpair carrying small typed messages, optionally with
// one file descriptor (SCM_RIGHTS).
#pragma once

#include <string>

#include "util/unique_fd.hpp"

namespace hull::sys {

enum class Msg : unsigned char {
  go = 1,               // parent -> init: id maps written, cgroup placed
  hooks = 2,            // init -> parent: mounts done, run prestart/createRuntime
  hooks_done = 3,       // parent -> init
  pty = 4,              // init -> parent: pty master (fd)
  ready = 6,            // init -> parent: set up, now waiting for start
  error = 7,            // init -> parent: text = the failure, init exits
  ack = 8,              // parent -> init: fd received and handled
  bind_source = 9,      // init -> parent: text = index of a bind mount (user namespace)
  bind_fd = 10,         // parent -> init: its source, detached and idmapped if asked (fd)
  device_nodes = 11,    // init -> parent: make the device nodes (user namespace)
  device_nodes_fd = 12, // parent -> init: a detached mount holding them (fd), or no fd
  seccomp_fd = 13,      // exec child -> parent: the seccomp notify listener (fd), no reply
};

struct Message {
  Msg type{};
  std::string text;
  unique_fd fd; // received descriptor, if any
};

class SyncChannel {
public:
  SyncChannel() = default;
  explicit SyncChannel(unique_fd fd) : fd_(std::move(fd)) {}
  // Creates a connected pair (both CLOEXEC).
  static void pair(SyncChannel &a, SyncChannel &b);

  void send(Msg type, const std::string &text = "", int fd = -1);
  // Blocks; returns false on EOF (the peer is gone).
  bool recv(Message &out);
  // recv() that throws unless the message is `want` (an error message from
  // the init is rethrown as hull::Error with its text).
  Message expect(Msg want);

  int fd() const { return fd_.get(); }
  void close() { fd_.reset(); }

private:
  unique_fd fd_;
};

} // namespace hull::sys
