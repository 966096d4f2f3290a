// Image commands: import (OCI layout dir or archive, docker save archive),
// ls, rm, prune. Every blob's digest is checked while it is read; each
// layer is unpacked once into <store>/layers/<digest>.
#pragma once

#include <string>

#include "storage/store.hpp"

namespace hull::storage {

struct ImportOptions {
  std::string name; // --name NAME[:TAG]; empty: from the archive
  bool allow_devices = false;
};

// Returns "NAME:TAG" of the imported image.
std::string import_image(const Store &s, const std::string &path, const ImportOptions &o);
// Image id for "NAME[:TAG]" or a full id; throws "image X does not exist".
std::string resolve_image(const Store &s, const std::string &ref);
nlohmann::json load_image(const Store &s, const std::string &id);
void list_images(const Store &s, bool quiet);
void remove_image(const Store &s, const std::string &ref);
// Removes untagged images no bundle uses and layers no image uses.
void prune_images(const Store &s);

} // namespace hull::storage
