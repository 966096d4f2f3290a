// Internal to spec/: readers shared by parse.cpp and parse_linux.cpp.
#pragma once

#include "spec/config.hpp"
#include "spec/json_reader.hpp"

namespace hull::spec::detail {

std::vector<IdMapping> read_idmappings(const json &v, const Path &p);
Linux read_linux(const Obj &o);
Resources read_resources(const Obj &o);
Seccomp read_seccomp(const Obj &o);

} // namespace hull::spec::detail
