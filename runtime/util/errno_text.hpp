// errno as Go (and so runc) words it: strerror with a lowercase first letter
// ("no such file or directory"). docker maps a failed start to exit 127/126 by
// these words, so every hull error carries them (Error::what() uses this).
#pragma once

#include <string>

namespace hull {

std::string errno_text(int err);

} // namespace hull
