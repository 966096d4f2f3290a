#include "spec/json_reader.hpp"
#include "spec/spec.hpp"

namespace hull::spec {

void validate(const Config &c) {
  if (c.ociVersion.rfind("1.", 0) != 0)
    throw ConfigError("ociVersion", "unsupported version " + detail::quote(c.ociVersion) +
                                        " (hull supports 1.x)");
}

} // namespace hull::spec
