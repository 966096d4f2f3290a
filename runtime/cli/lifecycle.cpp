// create, start, run, state, kill, delete
#include <csignal>
#include <fcntl.h>
#include <iostream>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "container/foreground.hpp"
#include "container/lifecycle.hpp"
#include "util/error.hpp"
#include "util/fault.hpp"

namespace hull::cli {
namespace {

void add_create_flags(CLI::App *c, container::CreateOptions &o) {
  c->add_option("id", o.id, "container id")->required();
  c->add_option("-b,--bundle", o.bundle, "bundle directory (default: current directory)");
  c->add_option("--pid-file", o.pid_file, "file to write the init's pid to");
  c->add_option("--console-socket", o.console_socket, "unix socket that receives the pty master");
  c->add_flag("--no-pivot", o.no_pivot, "do not use pivot_root (for ramdisk roots)");
  c->add_flag("--no-new-keyring", o.no_new_keyring, "keep the caller's session keyring");
  c->add_option("--preserve-fds", o.preserve_fds, "pass this many extra fds (3..) to the process");
}

} // namespace

void register_lifecycle(CLI::App &app, Context &ctx) {
  static container::CreateOptions co;
  auto *create = app.add_subcommand("create", "create a container");
  add_create_flags(create, co);
  create->callback([&ctx] {
    ctx.run = [&ctx] {
      container::create(ctx.global, co);
      return 0;
    };
  });

  static container::CreateOptions ro;
  static bool detach = false, keep = false;
  auto *run = app.add_subcommand("run", "create and start a container");
  add_create_flags(run, ro);
  run->add_flag("-d,--detach", detach, "detach from the container's process");
  run->add_flag("--keep", keep, "do not delete the container after it exits");
  run->callback([&ctx] {
    ctx.run = [&ctx] {
      sigset_t all, old;
      if (!detach) {
        sigfillset(&all);
        ::sigprocmask(SIG_BLOCK, &all, &old);
        ro.keep_pty = ro.console_socket.empty();
      }
      ro.need_process = true;
      container::Created made = container::create(ctx.global, ro);
      fault::point("run.created");
      try {
        container::start(ctx.global, ro.id);
      } catch (...) {
        try {
          container::remove(ctx.global, ro.id, true);
        } catch (...) {
        }
        // The init is our child: reaped here, not left a zombie to PID 1.
        container::reap_killed(made.pid);
        throw;
      }
      fault::point("run.started");
      if (detach) return 0;
      int rc = container::wait_foreground(made.pid, std::move(made.pty_master));
      fault::point("run.exited");
      if (!keep) container::remove(ctx.global, ro.id, true);
      return rc;
    };
  });

  static std::string start_id;
  auto *start = app.add_subcommand("start", "start a created container");
  start->add_option("id", start_id, "container id")->required();
  start->callback([&ctx] {
    ctx.run = [&ctx] {
      container::start(ctx.global, start_id);
      return 0;
    };
  });

  static std::string state_id;
  auto *state = app.add_subcommand("state", "print the state of a container");
  state->add_option("id", state_id, "container id")->required();
  state->callback([&ctx] {
    ctx.run = [&ctx] {
      auto c = container::Container::load(ctx.global, state_id);
      if (c.corrupt()) throw Error("container " + state_id + ": " + c.damaged());
      std::cout << state_json(c).dump(2) << "\n";
      return 0;
    };
  });

  static std::string kill_id, kill_sig = "SIGTERM";
  static bool kill_all = false;
  auto *kill = app.add_subcommand("kill", "send a signal to the container's init");
  kill->add_option("id", kill_id, "container id")->required();
  kill->add_option("signal", kill_sig, "signal name or number (default SIGTERM)");
  kill->add_flag("-a,--all", kill_all, "signal every process of the container");
  kill->callback([&ctx] {
    ctx.run = [&ctx] {
      container::kill(ctx.global, kill_id, container::parse_signal(kill_sig), kill_all);
      return 0;
    };
  });

  static std::string del_id;
  static bool del_force = false;
  auto *del = app.add_subcommand("delete", "delete a container and what it holds");
  del->add_option("id", del_id, "container id")->required();
  del->add_flag("-f,--force", del_force, "kill the container first if it is running");
  del->callback([&ctx] {
    ctx.run = [&ctx] {
      if (del_force && !container::Container::exists(ctx.global, del_id)) {
        container::check_id(del_id);
        return 0; // like runc: delete -f of a missing container succeeds
      }
      container::remove(ctx.global, del_id, del_force);
      return 0;
    };
  });

  register_list(app, ctx);
}

} // namespace hull::cli
