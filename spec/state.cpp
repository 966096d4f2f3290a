// The OCI state document (runtime.md "State").
#include <stdexcept>

#include "spec/state.hpp"

namespace hull::spec {

nlohmann::json state_to_json(const State &s) {
  nlohmann::json j = nlohmann::json::object();
  j["ociVersion"] = s.ociVersion;
  j["id"] = s.id;
  j["status"] = s.status;
  if (s.pid != 0) j["pid"] = s.pid;
  j["bundle"] = s.bundle;
  if (!s.annotations.empty()) j["annotations"] = s.annotations;
  return j;
}

namespace {

[[noreturn]] void state_error(const std::string &field, const std::string &problem) {
  throw std::runtime_error("state: " + field + ": " + problem);
}

std::string get_string(const nlohmann::json &j, const char *key, bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) state_error(key, "missing required field");
    return {};
  }
  if (!it->is_string()) state_error(key, "expected string, got " + it->dump());
  return it->get<std::string>();
}

} // namespace

State state_from_json(const nlohmann::json &j) {
  if (!j.is_object()) throw std::runtime_error("state: expected object, got " + j.dump());
  State s;
  s.ociVersion = get_string(j, "ociVersion", true);
  s.id = get_string(j, "id", true);
  s.status = get_string(j, "status", true);
  static const char *statuses[] = {"creating", "created", "running", "stopped", "paused"};
  bool known = false;
  for (const char *st : statuses)
    known = known || s.status == st;
  if (!known) state_error("status", "unknown status \"" + s.status + "\"");
  if (auto it = j.find("pid"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > INT32_MAX)
      state_error("pid", "expected a process id, got " + it->dump());
    s.pid = it->get<int>();
  }
  s.bundle = get_string(j, "bundle", true);
  if (auto it = j.find("annotations"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) state_error("annotations", "expected object, got " + it->dump());
    for (auto a = it->begin(); a != it->end(); ++a) {
      if (!a.value().is_string())
        state_error("annotations." + a.key(), "expected string, got " + a.value().dump());
      s.annotations.emplace(a.key(), a.value().get<std::string>());
    }
  }
  return s;
}

} // namespace hull::spec
