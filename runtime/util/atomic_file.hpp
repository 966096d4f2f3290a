// Crash-safe file replacement: readers see the old content or the new one,
// never a part (write to <path>.tmp, fsync, rename).
#pragma once

#include <string>
#include <sys/types.h>

namespace hull {

// Throws hull::Error naming path and the errno (ENOSPC, EROFS, ...); leaves
// no <path>.tmp behind on failure.
void write_file_atomic(const std::string &path, const std::string &data, mode_t mode = 0600);

} // namespace hull
