// The OCI state document (runtime.md "State") plus hull's private
// bookkeeping that lives beside it in <root>/<id>/state.json.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace hull::spec {

struct State {
  std::string ociVersion = "1.3.0";
  std::string id;
  std::string status; // creating | created | running | stopped | paused
  int pid = 0;
  std::string bundle;
  std::map<std::string, std::string> annotations;
};

// {"ociVersion","id","status","pid"(omitted when 0),"bundle","annotations"}
nlohmann::json state_to_json(const State &s);
State state_from_json(const nlohmann::json &j);

} // namespace hull::spec
