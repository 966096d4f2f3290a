#include "util/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/fault.hpp"
#include "util/unique_fd.hpp"

namespace hull {

void write_file_atomic(const std::string &path, const std::string &data, mode_t mode) {
  const std::string tmp = path + ".tmp";
  unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd) throw_errno("write " + path);
  auto fail = [&](const char *what) {
    int e = errno;
    fd.reset();
    ::unlink(tmp.c_str());
    throw_err(std::string(what) + " " + path, e);
  };
  for (size_t off = 0; off < data.size();) {
    ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write");
    off += size_t(n);
  }
  if (::fsync(fd.get()) < 0) fail("sync");
  if (::close(fd.release()) < 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw_err("write " + path, e);
  }
  fault::point("file.tmp"); // a killed writer leaves path.tmp: delete -f removes it
  if (::rename(tmp.c_str(), path.c_str()) < 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw_err("rename " + tmp, e);
  }
}

} // namespace hull
