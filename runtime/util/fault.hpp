// Test-only fault injection: HULL_FAULT_STEP=<step>[:stop] makes hull SIGKILL
// (or SIGSTOP) itself when it reaches the named step, so tests/faults can
// cut any command at a chosen point. Costs one getenv per process.
#pragma once

namespace hull::fault {

// Called at each named step ("create.cgroup", "delete.killed", ...).
void point(const char *step);

} // namespace hull::fault
