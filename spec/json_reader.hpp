// Internal to spec/: typed reads from an nlohmann::json document that throw
// ConfigError naming the JSON path ("mounts[2].destination") and the problem.
// Paths are a chain of stack-allocated links, rendered only when an error is
// thrown, so the happy path builds no strings.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "spec/spec.hpp"

namespace hull::spec::detail {

using nlohmann::json;

// One link of a JSON path: an object key, a map key or an array index.
struct Path {
  const Path *parent = nullptr;
  const char *key = nullptr;           // object field
  const std::string *mapKey = nullptr; // key of a free-form map
  long index = -1;                     // array element

  std::string str() const;
  Path field(const char *k) const { return Path{this, k, nullptr, -1}; }
  Path item(long i) const { return Path{this, nullptr, nullptr, i}; }
  Path entry(const std::string &k) const { return Path{this, nullptr, &k, -1}; }
};

[[noreturn]] void fail(const Path &p, const std::string &problem);
// `"64M"`, `1.5`, `true`, `null`, `object`, `array` (long strings shortened).
std::string describe(const json &v);
[[noreturn]] void type_error(const Path &p, const char *expected, const json &v);

inline std::string quote(const std::string &s) {
  return json(s).dump();
}

template <class T> const char *int_type_name() {
  if constexpr (std::is_same_v<T, uint16_t>)
    return "uint16";
  else if constexpr (std::is_same_v<T, uint32_t>)
    return "uint32";
  else if constexpr (std::is_same_v<T, uint64_t>)
    return "uint64";
  else if constexpr (std::is_same_v<T, int32_t>)
    return "int32";
  else
    return "int64";
}

template <class T> T to_int(const json &v, const Path &p) {
  static_assert(std::is_integral_v<T>);
  auto range_error = [&]() {
    fail(p, "value " + v.dump() + " out of range for " + int_type_name<T>() + " (" +
                std::to_string(std::numeric_limits<T>::min()) + " to " +
                std::to_string(std::numeric_limits<T>::max()) + ")");
  };
  if (v.is_number_unsigned()) {
    uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<T>::max())) range_error();
    return static_cast<T>(u);
  }
  if (v.is_number_integer()) {
    int64_t i = v.get<int64_t>();
    if constexpr (std::is_unsigned_v<T>) {
      if (i < 0) range_error();
      if (static_cast<uint64_t>(i) > static_cast<uint64_t>(std::numeric_limits<T>::max()))
        range_error();
    } else {
      if (i < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
          i > static_cast<int64_t>(std::numeric_limits<T>::max()))
        range_error();
    }
    return static_cast<T>(i);
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    // Integers too large for 64 bits arrive as floats.
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) >= 9.2e18) range_error();
  }
  type_error(p, "integer", v);
}

inline const std::string &to_str(const json &v, const Path &p) {
  if (!v.is_string()) type_error(p, "string", v);
  const auto &s = v.get_ref<const std::string &>();
  // JSON may carry \u0000; a C string ends there, so "/bin/sh\u0000x" ran /bin/sh
  if (s.find('\0') != std::string::npos) fail(p, "must not contain a NUL character (\\u0000)");
  return s;
}

inline bool to_bool(const json &v, const Path &p) {
  if (!v.is_boolean()) type_error(p, "boolean", v);
  return v.get<bool>();
}

// Calls f(element, path) for each element of an array.
template <class F> void each(const json &v, const Path &p, F &&f) {
  if (!v.is_array()) type_error(p, "array", v);
  long i = 0;
  for (const auto &e : v) {
    Path ep = p.item(i++);
    f(e, ep);
  }
}

std::vector<std::string> to_strings(const json &v, const Path &p);
std::map<std::string, std::string> to_string_map(const json &v, const Path &p);

// A JSON object being read: field lookups (null counts as absent, as Go's
// encoding/json does) and typed setters. Unknown fields are ignored.
class Obj {
public:
  Obj(const Obj &) = delete;
  Obj &operator=(const Obj &) = delete;
  Obj(const json &j, const Path &p) : j_(j), path_(p) {
    if (!j.is_object()) type_error(p, "object", j);
  }
  const Path &path() const { return path_; }
  Path at(const char *k) const { return path_.field(k); }

  const json *find(const char *k) const {
    auto it = j_.find(k);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  const json &need(const char *k) const {
    const json *v = find(k);
    if (!v) fail(at(k), "missing required field");
    return *v;
  }

  // Calls f(value, path) when the field is present.
  template <class F> bool with(const char *k, F &&f) const {
    const json *v = find(k);
    if (!v) return false;
    Path p = at(k);
    f(*v, p);
    return true;
  }
  // Calls f(Obj) when the field is present (it must be an object).
  template <class F> bool object(const char *k, F &&f) const {
    const json *v = find(k);
    if (!v) return false;
    Path p = at(k);
    Obj o(*v, p);
    f(o);
    return true;
  }
  // Calls f(Obj) for each object element of an array field.
  template <class F> void objects(const char *k, F &&f) const {
    with(k, [&](const json &v, const Path &p) {
      each(v, p, [&](const json &e, const Path &ep) {
        Obj o(e, ep);
        f(o);
      });
    });
  }

  void str(const char *k, std::string &out) const {
    if (const json *v = find(k)) out = to_str(*v, at(k));
  }
  void req_str(const char *k, std::string &out) const { out = to_str(need(k), at(k)); }
  void boolean(const char *k, bool &out) const {
    if (const json *v = find(k)) out = to_bool(*v, at(k));
  }
  void boolean(const char *k, std::optional<bool> &out) const {
    if (const json *v = find(k)) out = to_bool(*v, at(k));
  }
  template <class T> void integer(const char *k, T &out) const {
    if (const json *v = find(k)) out = to_int<T>(*v, at(k));
  }
  template <class T> void integer(const char *k, std::optional<T> &out) const {
    if (const json *v = find(k)) out = to_int<T>(*v, at(k));
  }
  template <class T> void req_integer(const char *k, T &out) const {
    out = to_int<T>(need(k), at(k));
  }
  void strings(const char *k, std::vector<std::string> &out) const {
    if (const json *v = find(k)) out = to_strings(*v, at(k));
  }
  void string_map(const char *k, std::map<std::string, std::string> &out) const {
    if (const json *v = find(k)) out = to_string_map(*v, at(k));
  }

private:
  const json &j_;
  Path path_; // children link to this member: an Obj outlives the reads below it
};

} // namespace hull::spec::detail
