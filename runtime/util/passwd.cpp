#include "util/passwd.hpp"

#include <charconv>
#include <fcntl.h>
#include <unistd.h>

namespace hull::util {

std::optional<std::string> user_name_in(std::string_view text, uid_t uid) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    // name:password:uid:...
    size_t a = line.find(':');
    size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    size_t c = b == std::string_view::npos ? b : line.find(':', b + 1);
    if (c == std::string_view::npos || a == 0) continue;
    unsigned long v = 0;
    auto [p, ec] = std::from_chars(line.data() + b + 1, line.data() + c, v);
    if (ec == std::errc{} && p == line.data() + c && b + 1 < c && v == uid)
      return std::string(line.substr(0, a));
  }
  return std::nullopt;
}

std::optional<std::string> user_name(uid_t uid, const char *path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0)
    text.append(buf, size_t(n));
  ::close(fd);
  return user_name_in(text, uid);
}

} // namespace hull::util
