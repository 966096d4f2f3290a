// libFuzzer target: config.json text through the spec parser and validator,
// and a parsed seccomp section through the seccomp planner. A ConfigError
// (or hull::Error from the planner) is the expected answer to bad input;
// anything else escaping, a crash, a leak or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "linux/seccomp.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  hull::spec::Config c;
  try {
    c = hull::spec::parse_config(text);
  } catch (const hull::spec::ConfigError &) {
    return 0;
  }
  if (c.linux_ && c.linux_->seccomp) {
    try {
      auto plan = hull::sys::plan_seccomp(*c.linux_->seccomp);
      (void)plan;
    } catch (const hull::Error &) {
    }
  }
  return 0;
}
