// A small SHA-256 (FIPS 180-4) for the seccomp cache key and checksum: one
// hash does not justify linking libcrypto into every container start.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace hull::sys {

class Sha256 {
public:
  Sha256();
  void update(const void *data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::array<uint8_t, 32> digest(); // finalizes; the object is spent afterwards

private:
  void block(const uint8_t *p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t used_ = 0;
  uint64_t total_ = 0;
};

std::array<uint8_t, 32> sha256(const void *data, size_t len);
std::string to_hex(const std::array<uint8_t, 32> &d);

} // namespace hull::sys
