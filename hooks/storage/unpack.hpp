// Unpacking one tar stream (a layer, or the outer archive of an image) into
// a fresh directory with libarchive's reader and our own, never-following
// file creation. The bytes are hashed as they are read, so the digest that
// is checked is the digest of exactly what was unpacked.
#pragma once

#include <string>

#include "storage/entry_plan.hpp"

namespace hull::storage {

struct UnpackResult {
  std::string sha256; // hex digest of every byte of the file (compressed form)
  unsigned long long size = 0;
  unsigned long long entries = 0;
};

// Unpacks the tar (gzip/zstd/plain, detected) in file `fd` into the empty
// directory `dest`. Throws hull::Error naming the entry on a hostile or
// broken archive; `dest` may then hold a partial tree (the caller stages it
// under the store's tmp/ and removes it).
UnpackResult unpack_tar(int fd, const std::string &dest, const UnpackPolicy &policy);

// Reads the whole file through the hash (for blobs that are not unpacked).
UnpackResult hash_file(int fd, std::string *content = nullptr);

} // namespace hull::storage
