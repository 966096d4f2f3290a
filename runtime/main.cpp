// hull: CLI11 wiring only. Each command family lives in runtime/cli/.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <seccomp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/dispatch.hpp"
#include "hull_version.h"
#include "spec/config.hpp"
#include "util/inherited_fds.hpp"
#include "util/log.hpp"

int main(int argc, char **argv) {
  // First thing: if a container ever gets to execute this binary (an
  // interpreter of "#!/proc/self/exe"), its /proc/<pid>/exe stays closed to
  // it (CVE-2019-5736). exec paths also refuse such interpreters outright.
  ::prctl(PR_SET_DUMPABLE, 0);
  // Before anything of ours is opened: what --preserve-fds may pass on.
  hull::note_inherited_fds();
  CLI::App app{"hull: a daemonless OCI container runtime (runc compatible)", "hull"};
  app.require_subcommand(1);
  app.fallthrough();
  hull::cli::Context ctx;
  std::string log_file, log_format = "text", rootless = "auto", criu;
  bool debug = false;
  app.add_option("--root", ctx.global.root, "root directory for container state")
      ->capture_default_str();
  app.add_option("--log", log_file, "log file (default: stderr)");
  app.add_option("--log-format", log_format, "log format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--debug", debug, "debug logging");
  app.add_flag("--systemd-cgroup", ctx.global.systemd_cgroup,
               "use systemd cgroup paths (slice:prefix:name)");
  app.add_option("--rootless", rootless, "ignore cgroup permission errors (true, false, auto)");
  app.add_option("--criu", criu, "path to the criu binary");
  const scmp_version *sv = seccomp_version(); // runc's form: version, commit, spec, libseccomp
  app.set_version_flag("-v,--version",
                       std::string("hull version ") + HULL_VERSION + "\ncommit: " + HULL_COMMIT +
                           "\nspec: " + hull::spec::kSpecVersion +
                           "\nlibseccomp: " + std::to_string(sv->major) + "." +
                           std::to_string(sv->minor) + "." + std::to_string(sv->micro));

  using namespace hull::cli;
  const unsigned fam = families_for(std::vector<std::string_view>(argv + 1, argv + argc));
  if (fam & kLifecycle) register_lifecycle(app, ctx);
  if (fam & kSpec) register_spec_commands(app, ctx);
  if (fam & kCgroup) register_cgroup_commands(app, ctx);
  if (fam & kExec) register_exec(app, ctx);
  if (fam == kAll) register_checkpoint(app, ctx); // checkpoint, restore: not a family of their own

  try {
    std::vector<std::string> args = hull::cli::split_trailing_args({argv, argv + argc});
    std::vector<const char *> cargs;
    for (auto &a : args)
      cargs.push_back(a.c_str());
    app.parse(int(cargs.size()), cargs.data());
  } catch (const CLI::ParseError &e) {
    if (e.get_exit_code() != 0) { // one line (engines read errors from --log too)
      hull::log::configure(log_file, log_format == "json", debug);
      hull::log::error(e.what()); // to the log, and one plain line to stderr
      return 1;
    }
    int rc = app.exit(e);
    // podman takes a zero exit of `checkpoint --help` for "checkpointing works"
    if (rc == 0 && hull::cli::checkpoint_help_requested(app)) return 1;
    return rc == 0 ? 0 : 1;
  }
  ctx.global.debug = debug;
  if (!ctx.global.root.empty() && ctx.global.root[0] != '/') { // runc makes --root absolute
    char cwd[4096];
    if (::getcwd(cwd, sizeof cwd)) ctx.global.root = std::string(cwd) + "/" + ctx.global.root;
  }
  ctx.global.rootless = rootless == "true";
  if (std::string why = hull::log::configure(log_file, log_format == "json", debug); !why.empty()) {
    hull::log::error(why); // as runc: a --log that cannot be opened fails the command
    return 1;
  }
  if (!ctx.run) return 0;
  int rc;
  try {
    rc = ctx.run();
  } catch (const std::exception &e) {
    hull::log::error(e.what());
    rc = 1;
  }
  // exit() flushes the streams and runs static destructors, but skips
  // tearing down the CLI11 tree built above (~0.1 M instructions for
  // nothing: the process ends here).
  std::exit(rc);
}
