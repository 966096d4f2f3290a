// Each command family registers its CLI11 subcommands here. A subcommand's
// callback stores the work to do in `run`; main executes it, prints a thrown
// hull::Error once (text or JSON log) and exits with the returned status.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "container/container.hpp"

namespace hull::cli {

using Action = std::function<int()>;

struct Context {
  container::GlobalOptions global;
  Action run; // set by the chosen subcommand
};

// create, start, run, state, kill, delete, list (lifecycle.cpp / list.cpp)
void register_lifecycle(CLI::App &app, Context &ctx);
// list (list.cpp)
void register_list(CLI::App &app, Context &ctx);
// spec, features (spec_cmds.cpp)
void register_spec_commands(CLI::App &app, Context &ctx);
// pause, resume, update, ps, events (cgroup_cmds.cpp, owned by the cgroups part)
void register_cgroup_commands(CLI::App &app, Context &ctx);
// checkpoint, restore: refused (checkpoint.cpp)
void register_checkpoint(CLI::App &app, Context &ctx);
// true when the parse stopped in checkpoint/restore (their --help exits 1)
bool checkpoint_help_requested(const CLI::App &app);
// exec (exec_cmd.cpp)
void register_exec(CLI::App &app, Context &ctx);
// Inserts "--" after the container id of exec and ps so that what follows
// (exec's `sh -c ...`, ps(1)'s `-e -x`) is not taken for hull's own flags.
std::vector<std::string> split_trailing_args(std::vector<std::string> args);

} // namespace hull::cli
