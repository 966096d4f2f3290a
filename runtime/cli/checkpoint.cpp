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
    c->fallthrough(false);
    std::string what = name;
    c->callback([&ctx, what] {
      ctx.run = [what]() -> int {
        throw Error(what + ": not supported by hull (checkpoint/restore needs CRIU support)");
      };
    });
  }
}

bool checkpoint_help_requested(const CLI::App &app) {
  auto mine = [](const CLI::App *c) {
    return c->get_name() == "checkpoint" || c->get_name() == "restore";
  };
  for (const CLI::App *c : app.get_subcommands(std::function<bool(const CLI::App *)>(mine)))
    if (c->parsed()) return true;
  return false;
}

} // namespace hull::cli
