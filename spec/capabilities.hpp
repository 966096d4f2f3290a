// Linux capability names <-> numbers (linux/capability.h), CAP_CHOWN = 0 ...
// CAP_CHECKPOINT_RESTORE = 40. No libcap: spec/ depends on nothing.
#pragma once

#include <string>
#include <vector>

namespace hull::spec {

// The number of a capability name ("CAP_SYS_ADMIN" -> 21), -1 when unknown.
int capability_number(const std::string &name);
// All known names, indexed by capability number.
const std::vector<std::string> &all_capability_names();

} // namespace hull::spec
