// exec
#include <algorithm>

#include "cli/commands.hpp"
#include "container/exec.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace hull::cli {

void register_exec(CLI::App &app, Context &ctx) {
  static container::ExecOptions o;
  auto *ex = app.add_subcommand("exec",
                                "run a process in a running container: exec [flags] ID COMMAND...");
  ex->add_option("id", o.id, "container id")->required();
  ex->add_option("command", o.args, "command and its arguments");
  ex->add_option("--console-socket", o.console_socket, "unix socket that receives the pty master");
  ex->add_option("--cwd", o.cwd, "working directory");
  ex->add_option("-e,--env", o.env, "set an environment variable (NAME=value)")
      ->allow_extra_args(false);
  ex->add_flag("-t,--tty", o.tty, "allocate a pseudo-TTY");
  ex->add_option("-u,--user", o.user, "uid[:gid]");
  ex->add_option("-g,--additional-gids", o.additional_gids, "additional gids")
      ->allow_extra_args(false);
  ex->add_option("-p,--process", o.process_file, "process.json (runtime-spec process)");
  ex->add_flag("-d,--detach", o.detach, "detach from the process");
  ex->add_option("--pid-file", o.pid_file, "file to write the process's pid to");
  ex->add_option("--process-label", o.label, "SELinux label");
  ex->add_option("--apparmor", o.apparmor, "AppArmor profile");
  ex->add_flag("--no-new-privs", o.no_new_privs, "set no_new_privs");
  ex->add_option("-c,--cap", o.caps, "add a capability")->allow_extra_args(false);
  ex->add_option("--preserve-fds", o.preserve_fds, "pass this many extra fds (3..)");
  ex->add_flag("--ignore-paused", o.ignore_paused, "exec even if the container is paused");
  ex->add_option("--cgroup", o.cgroups,
                 "run in an existing sub-cgroup: [controller[,controller]:]path")
      ->allow_extra_args(false);
  ex->callback([&ctx] {
    ctx.run = [&ctx] {
      // runc: every exec failure is "exec failed: ..." with status 255.
      try {
        return container::exec(ctx.global, o);
      } catch (const std::exception &e) {
        log::error(std::string("exec failed: ") + e.what());
        return 255;
      }
    };
  });
}

std::vector<std::string> split_trailing_args(std::vector<std::string> args) {
  static const std::vector<std::string> global_valued = {"--root", "--log", "--log-format",
                                                         "--rootless", "--criu"};
  static const std::vector<std::string> exec_valued = {"--console-socket",
                                                       "--cwd",
                                                       "-e",
                                                       "--env",
                                                       "-u",
                                                       "--user",
                                                       "-g",
                                                       "--additional-gids",
                                                       "-p",
                                                       "--process",
                                                       "--pid-file",
                                                       "--process-label",
                                                       "--apparmor",
                                                       "-c",
                                                       "--cap",
                                                       "--preserve-fds",
                                                       "--cgroup"};
  static const std::vector<std::string> ps_valued = {"-f", "--format"};
  auto has = [](const std::vector<std::string> &v, const std::string &a) {
    return std::find(v.begin(), v.end(), a) != v.end();
  };
  // The subcommand: the first word that is neither a global option nor its value.
  size_t i = 1;
  while (i < args.size() && args[i].size() > 1 && args[i][0] == '-')
    i += has(global_valued, args[i]) ? 2 : 1;
  if (i >= args.size() || (args[i] != "exec" && args[i] != "ps")) return args;
  const auto &valued = args[i] == "exec" ? exec_valued : ps_valued;
  for (++i; i < args.size(); i++) {
    const std::string &a = args[i];
    if (a == "--") return args;
    if (a.size() > 1 && a[0] == '-') {
      if (has(valued, a) || has(global_valued, a)) i++;
      continue;
    }
    // a is the id: everything after it belongs to the command (or ps), verbatim
    if (i + 1 < args.size()) args.insert(args.begin() + long(i) + 1, "--");
    return args;
  }
  return args;
}

} // namespace hull::cli
