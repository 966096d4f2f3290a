// checkpoint, restore: accepted with runc's flags, refused with one clear
// error. hull does not drive CRIU; podman probes `checkpoint --help` and takes
// exit 0 for "checkpointing works", so main makes that help exit non-zero.
#include "cli/commands.hpp"
#include "util/error.hpp"

namespace hull::cli {

void register_checkpoint(CLI::App &app, Context &ctx) {
  static std::string id;
  for (const char *name : {"checkpoint", "restore"}) {
    auto *c = app.add_subcommand(name, std::string(name) + " a container (not supported: no CRIU)");
    c->add_option("id", id, "container id");
    c->allow_extras(); // --image-path, --work-path, --leave-running, ...
    std::string what = name;
    c->callback([&ctx, what] {
      ctx.run = [what]() -> int {
        throw Error(what + ": not supported by hull (checkpoint/restore needs CRIU support)");
      };
    });
  }
}

bool checkpoint_help_requested(const CLI::App &app) {
  for (const char *name : {"checkpoint", "restore"}) {
    const CLI::App *c = app.get_subcommand_no_throw(name);
    if (c && c->parsed()) return true;
  }
  return false;
}

} // namespace hull::cli
