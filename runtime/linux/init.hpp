// The container init: the child of clone. Before `create` returns it finishes
// the namespaces and builds the rootfs (failures go back to `create` over the
// channel); then it waits on exec.fifo for `start`, sets up the process
// (attributes, user, capabilities, seccomp) and execs process.args. Failures
// of that second half are written into the fifo, where `start` reports them.
#pragma once

#include <functional>
#include <optional>

#include "linux/namespaces.hpp"
#include "linux/rootfs.hpp"
#include "linux/seccomp.hpp"
#include "linux/sync.hpp"
#include "spec/config.hpp"

namespace hull::sys {

struct InitArgs {
  const spec::Config *config = nullptr;
  NsPlan ns;
  RootfsOptions rootfs;
  SyncChannel *chan = nullptr;
  int state_dir_fd = -1;   // O_PATH fd of the state dir, which holds exec.fifo
  int preserve_fds = 0;    // fds 3..3+N-1 reach the process
  bool new_keyring = true; // join a fresh session keyring (not --no-new-keyring)
  const SeccompProgram *seccomp = nullptr;
  spec::State state; // id, bundle, annotations: for the seccomp listener
  // Run inside the container's namespaces (createContainer before
  // pivot_root, startContainer after start, before exec). May throw.
  std::function<void()> create_container_hooks;
  std::function<void()> start_container_hooks;
  // Applies LSM exec labels right before execve (may be empty).
  std::function<void()> exec_labels;
};

// execve of the container process (init and exec): refuses the runtime's own
// binary as an interpreter, adds PWD=cwd when env has none. Throws on failure.
[[noreturn]] void exec_process(const spec::Process &p, const std::string &exe);

// Never returns: execs the process or _exit(1)s after reporting the error.
[[noreturn]] void run_init(InitArgs &a);

} // namespace hull::sys
