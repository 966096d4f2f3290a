// Lexical path cleaning shared by the rootfs and cgroup code.
#pragma once

#include <string>
#include <vector>

namespace hull {

// "a/./b//../c" -> {"a", "c"}: components with "." and empty ones dropped and
// ".." applied (never above the start).
std::vector<std::string> clean_components(const std::string &p);

} // namespace hull
