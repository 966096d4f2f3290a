// Resolving paths inside a root without ever leaving it (openat2
// RESOLVE_IN_ROOT, with a userspace fallback walk).
#pragma once

#include <string>

#include "util/unique_fd.hpp"

namespace hull {

// Opens `path` (absolute or relative, interpreted inside root_fd's tree)
// with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS). Throws hull::Error.
unique_fd open_in_root(int root_fd, const std::string &path, int flags, mode_t mode = 0);

// Returns the host path that `path` resolves to inside `root` (symlinks
// evaluated as if root were "/"), creating nothing. Like Go's securejoin.
std::string secure_join(const std::string &root, const std::string &path);

// Creates missing directories of `path` inside root (each component resolved
// inside root), and the last component as a directory (or an empty file when
// as_file). Returns an O_PATH fd to the result.
unique_fd mkdir_in_root(int root_fd, const std::string &path, bool as_file, mode_t mode = 0755);

} // namespace hull
