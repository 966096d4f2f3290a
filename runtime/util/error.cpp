#include "util/error.hpp"
#include "util/errno_text.hpp"

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
  if (errno_ != 0) text_ += ": " + errno_text(errno_);
}

std::string errno_text(int err) {
  std::string s = std::strerror(err);
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && !(s.size() > 1 && s[1] >= 'A' && s[1] <= 'Z'))
    s[0] = char(s[0] - 'A' + 'a');
  return s;
}

void throw_errno(const std::string &what) {
  throw Error(what, errno);
}
void throw_err(const std::string &what, int err) {
  throw Error(what, err);
}

} // namespace hull
