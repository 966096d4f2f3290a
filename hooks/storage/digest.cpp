#include "storage/digest.hpp"

#include <openssl/evp.h>

#include "util/error.hpp"

namespace hull::storage {

struct Sha256::Impl {
  EVP_MD_CTX *ctx = nullptr;
};

Sha256::Sha256() : impl_(new Impl) {
  impl_->ctx = EVP_MD_CTX_new();
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1)
    throw Error("sha256: cannot initialise libcrypto digest");
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(impl_->ctx);
}

void Sha256::update(const void *data, size_t n) {
  if (n && EVP_DigestUpdate(impl_->ctx, data, n) != 1) throw Error("sha256: update failed");
}

std::string Sha256::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, md, &len) != 1) throw Error("sha256: final failed");
  static const char *digits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; i++) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 15];
  }
  return out;
}

std::string sha256_hex(const std::string &data) {
  Sha256 h;
  h.update(data.data(), data.size());
  return h.hex();
}

std::string digest_hex(const std::string &digest, const std::string &what) {
  const std::string prefix = "sha256:";
  if (digest.rfind(prefix, 0) != 0)
    throw Error(what + ": digest \"" + digest + "\": only sha256 is supported");
  std::string hex = digest.substr(prefix.size());
  bool ok = hex.size() == 64;
  for (char c : hex)
    ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) throw Error(what + ": malformed digest \"" + digest + "\"");
  return hex;
}

} // namespace hull::storage
