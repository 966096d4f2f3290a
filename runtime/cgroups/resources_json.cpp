#include "cgroups/resources_json.hpp"

#include "spec/parse_internal.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"

namespace hull::cgroups {

spec::Resources resources_from_json(const nlohmann::json &doc) {
  try {
    spec::detail::Path root{nullptr, "resources", nullptr, -1};
    spec::detail::Obj o(doc, root);
    return spec::detail::read_resources(o);
  } catch (const spec::ConfigError &e) {
    throw Error(e.path() + ": " + e.problem());
  }
}

spec::Resources resources_from_text(const std::string &text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception &e) { // out_of_range too (1E777777)
    throw Error("resources: invalid JSON: " + spec::json_error_text(e));
  }
  return resources_from_json(doc);
}

} // namespace hull::cgroups
