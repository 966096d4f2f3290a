#include "util/error.hpp"

#include <cstring>

namespace hull {

Error::Error(std::string msg, int err) : msg_(std::move(msg)), errno_(err) {
  render();
}

Error &Error::context(const std::string &outer) {
  chain_ = outer + ": " + chain_;
  render();
  return *this;
}

void Error::render() {
  text_ = chain_ + msg_;
  if (errno_ != 0) text_ += std::string(": ") + std::strerror(errno_);
}

void throw_errno(const std::string &what) {
  throw Error(what, errno);
}
void throw_err(const std::string &what, int err) {
  throw Error(what, err);
}

} // namespace hull
