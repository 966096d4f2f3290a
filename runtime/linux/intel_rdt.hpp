// linux.intelRdt through the resctrl filesystem: a CLOS group (closID, or one
// named after the container), its schemata, the init in its tasks, and a
// monitoring group when enableMonitoring asks. Without resctrl mounted the
// field is refused with one clear error, never ignored.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "spec/config.hpp"

namespace hull::sys {

struct RdtPlan {
  std::string group;                 // directory under the resctrl root
  bool own_group = false;            // made for this container: removed on delete
  std::vector<std::string> schemata; // lines for <group>/schemata
  std::string mon_group;             // mon_groups/<id> when monitoring, else empty
};
// Pure: what linux.intelRdt means for container `id`.
RdtPlan plan_intel_rdt(const spec::IntelRdt &r, const std::string &id);

// Where resctrl is mounted ("" when it is not), from /proc/self/mountinfo.
std::string resctrl_root();

// Runtime side of create: puts the init `pid` into the planned groups.
// Throws hull::Error naming linux.intelRdt; removes what it made on failure.
void apply_intel_rdt(const spec::Linux *l, const std::string &id, pid_t pid);
// Runtime side of delete: removes the groups made for the container.
void remove_intel_rdt(const spec::Linux *l, const std::string &id);

} // namespace hull::sys
