// Internal to spec/: helpers shared by validate.cpp and validate_linux.cpp.
#pragma once

#include <string>
#include <vector>

#include "spec/config.hpp"
#include "spec/names.hpp"

namespace hull::spec::detail {

std::string idx(const std::string &base, size_t i);
[[noreturn]] void bad(const std::string &path, const std::string &problem);
void need_absolute(const std::string &path, const std::string &value);
void check_known(const std::string &path, const Names &known, const std::string &value,
                 const char *what);
void check_idmappings(const std::string &base, const std::vector<IdMapping> &maps);
// "0-3,7": comma-separated cpu/node numbers and ranges (empty is fine).
void check_cpu_list(const std::string &path, const std::string &list);
void check_linux(const Config &c);

} // namespace hull::spec::detail
