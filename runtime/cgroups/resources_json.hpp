// linux.resources as a standalone JSON document (what `update -r FILE|-`
// reads, as podman and docker pass it), parsed with the spec's reader.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "spec/config.hpp"

namespace hull::cgroups {

// Throws hull::Error "resources.memory.limit: expected integer, got \"x\"".
spec::Resources resources_from_json(const nlohmann::json &doc);
spec::Resources resources_from_text(const std::string &text);

} // namespace hull::cgroups
