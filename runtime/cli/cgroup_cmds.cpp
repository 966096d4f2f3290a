// placeholder: pause, resume, update, ps, events (cgroups part)
#include "cli/commands.hpp"
namespace hull::cli {
void register_cgroup_commands(CLI::App &, Context &) {}
} // namespace hull::cli
