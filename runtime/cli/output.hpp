// The documents `state` and `list -f json` print (runc's field set).
#pragma once

#include <nlohmann/json.hpp>

#include "container/container.hpp"

namespace hull::cli {

// {ociVersion,id,pid,status,bundle,rootfs,created,owner[,annotations]}
nlohmann::ordered_json state_json(const container::Container &c);

} // namespace hull::cli
