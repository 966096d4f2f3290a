// Runs OCI lifecycle hooks: each gets the state JSON on stdin, its args and
// env, and is killed after its timeout.
#pragma once

#include <string>
#include <vector>

#include "spec/config.hpp"
#include "spec/state.hpp"

namespace hull::container {

// Runs hooks in order; throws hull::Error naming the phase, the hook and how
// it failed ("createRuntime hook /bin/x: exit status 2").
void run_hooks(const std::vector<spec::Hook> &hooks, const spec::State &state, const char *phase);
// Same, but failures are logged as warnings and the rest still run
// (poststart, poststop).
void run_hooks_warn(const std::vector<spec::Hook> &hooks, const spec::State &state,
                    const char *phase);

} // namespace hull::container
