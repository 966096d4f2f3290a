// CVE-2019-5736: a container must never get the runtime binary executed as
// its process (e.g. /bin/sh replaced by "#!/proc/self/exe"), since that
// process could then reach the host binary through /proc/<pid>/exe.
#pragma once

#include <string>

namespace hull::sys {

// Follows exe's interpreter chain (#! lines, ELF PT_INTERP, up to the
// kernel's depth) and throws hull::Error if any step is this very binary.
void refuse_runtime_interpreter(const std::string &exe);

} // namespace hull::sys
