// SHA-256 of streamed bytes, through OpenSSL's libcrypto (a maintained,
// hardware-accelerated implementation; hooks may not use runtime/linux's).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace hull::storage {

class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256 &) = delete;
  Sha256 &operator=(const Sha256 &) = delete;
  void update(const void *data, size_t n);
  // Lower-case hex of the digest; the object is spent afterwards.
  std::string hex();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(const std::string &data);

// "sha256:<64 hex>" -> "<64 hex>"; throws hull::Error naming `what` otherwise.
std::string digest_hex(const std::string &digest, const std::string &what);

} // namespace hull::storage
