// The compiled-BPF cache under <root>/seccomp-cache/: one file per key,
// written atomically (tmp + rename), bounded in total size (oldest evicted),
// and verified before use (magic, format, key, length, SHA-256 of the
// program; the file must be a regular file owned by us in a directory only we
// can write). Anything that fails a check is ignored (and removed), never
// trusted. Internal to the seccomp part.
#pragma once

#include <linux/filter.h>
#include <optional>
#include <string>
#include <vector>

#include "spec/config.hpp"

namespace hull::sys {

constexpr size_t kSeccompCacheMaxBytes = 8u << 20;

// Canonical JSON of a seccomp section (sorted keys, no whitespace).
std::string seccomp_canonical_json(const spec::Seccomp &sc);

// The program stored under key, or nullopt (missing, corrupt, foreign).
std::optional<std::vector<sock_filter>> seccomp_cache_load(const std::string &dir,
                                                           const std::string &key);
// Stores the program, then evicts the oldest files until the directory holds
// at most max_bytes. Throws hull::Error on failure (callers treat it as a miss).
void seccomp_cache_store(const std::string &dir, const std::string &key,
                         const std::vector<sock_filter> &bpf, size_t max_bytes);

// File layout (exposed for tests).
struct SeccompCacheHeader {
  char magic[8];   // "HULLBPF\0"
  uint32_t format; // 1
  uint32_t count;  // number of sock_filter instructions
  uint8_t key[32]; // the cache key (binary)
  uint8_t sum[32]; // SHA-256 of the program bytes
};
static_assert(sizeof(SeccompCacheHeader) == 80);

} // namespace hull::sys
