// One error type for the whole runtime: a message, an optional errno and a
// context chain. what() renders "outer: inner: message: strerror(errno)".
#pragma once

#include <cerrno>
#include <exception>
#include <string>

namespace hull {

class Error : public std::exception {
public:
  explicit Error(std::string msg, int err = 0);
  // Prepends a context ("create container abc") and returns *this.
  Error &context(const std::string &outer);
  const char *what() const noexcept override { return text_.c_str(); }
  int err() const { return errno_; }
  const std::string &message() const { return msg_; }

private:
  void render();
  std::string msg_;
  std::string chain_; // "outer: ...: " prefix
  int errno_;
  std::string text_;
};

// Throws Error(what, errno) with the current errno.
[[noreturn]] void throw_errno(const std::string &what);
// Throws Error(what, err).
[[noreturn]] void throw_err(const std::string &what, int err);

} // namespace hull
