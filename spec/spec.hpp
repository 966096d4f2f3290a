// Public entry points of the spec model: parse + validate config.json,
// the default `hull spec` document, the OCI state document and `features`.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "spec/config.hpp"
#include "spec/state.hpp"

namespace hull::spec {

// Thrown for every problem with config.json. what() is one line:
//   "config.json: linux.resources.memory.limit: expected integer, got \"64M\""
class ConfigError : public std::runtime_error {
public:
  ConfigError(const std::string &path, const std::string &problem);
  const std::string &path() const { return path_; }
  const std::string &problem() const { return problem_; }

private:
  std::string path_, problem_;
};

// Parses and validates the text of a config.json.
Config parse_config(const std::string &text);
// Same, from an already parsed JSON document.
Config config_from_json(const nlohmann::json &doc);
// Reads <bundle>/config.json (errors name the file).
Config load_config(const std::string &bundle_dir);
// The whole text of a file; errors worded as runc's ("read X: is a directory").
std::string read_text_file(const std::string &file);
// A JSON error's text without nlohmann's "[json.exception...] " prefix.
std::string json_error_text(const nlohmann::json::exception &e);
// The largest uid/gid a process may ask for: (uid_t)-1 is "leave unchanged"
// to setresuid/setresgid, so a process asking for it would keep the
// runtime's root. runc refuses past INT32_MAX for the same reason.
inline constexpr uint32_t kMaxUserId = 2147483647u;
inline constexpr const char *kUserIdRange = "uids and gids must be in range 0-2147483647";
// Semantic checks (called by parse_config; exposed for tests).
void validate(const Config &c);

// The default document `hull spec` writes (like runc's).
nlohmann::json default_spec(bool rootless);

// The runtime-spec features document (features.md), true to what hull implements.
nlohmann::json features();

} // namespace hull::spec
