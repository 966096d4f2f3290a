#include "spec/json_reader.hpp"

namespace hull::spec {

ConfigError::ConfigError(const std::string &path, const std::string &problem)
    : std::runtime_error(path.empty() ? "config.json: " + problem
                                      : "config.json: " + path + ": " + problem),
      path_(path), problem_(problem) {}

namespace detail {

std::string Path::str() const {
  std::string head = parent ? parent->str() : std::string();
  if (key) {
    if (!head.empty()) head += '.';
    head += key;
  } else if (mapKey) {
    head += '[' + quote(*mapKey) + ']';
  } else if (index >= 0) {
    head += '[' + std::to_string(index) + ']';
  }
  return head;
}

void fail(const Path &p, const std::string &problem) {
  throw ConfigError(p.str(), problem);
}

std::string describe(const json &v) {
  switch (v.type()) {
  case json::value_t::object:
    return "object";
  case json::value_t::array:
    return "array";
  case json::value_t::string: {
    const auto &s = v.get_ref<const std::string &>();
    if (s.size() > 60) return quote(s.substr(0, 57) + "...");
    return quote(s);
  }
  default:
    return v.dump();
  }
}

void type_error(const Path &p, const char *expected, const json &v) {
  fail(p, std::string("expected ") + expected + ", got " + describe(v));
}

std::vector<std::string> to_strings(const json &v, const Path &p) {
  std::vector<std::string> out;
  if (v.is_array()) out.reserve(v.size());
  each(v, p, [&](const json &e, const Path &ep) { out.push_back(to_str(e, ep)); });
  return out;
}

std::map<std::string, std::string> to_string_map(const json &v, const Path &p) {
  if (!v.is_object()) type_error(p, "object", v);
  std::map<std::string, std::string> out;
  for (auto it = v.begin(); it != v.end(); ++it) {
    Path ep = p.entry(it.key());
    out.emplace(it.key(), to_str(it.value(), ep));
  }
  return out;
}

} // namespace detail
} // namespace hull::spec
