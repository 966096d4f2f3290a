#include "util/safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

#include "util/error.hpp"

namespace hull {

namespace {

std::vector<std::string> split_path(const std::string &p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    if (j > i) out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string join_rel(const std::vector<std::string> &parts) {
  std::string s;
  for (const auto &p : parts)
    s += "/" + p;
  return s;
}

std::string fd_path(int fd) {
  char buf[4096];
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n < 0) throw_errno("readlink " + link);
  return std::string(buf, static_cast<size_t>(n));
}

bool g_no_openat2 = false;

} // namespace

std::string secure_join(const std::string &root, const std::string &path) {
  std::string base = root;
  while (base.size() > 1 && base.back() == '/')
    base.pop_back();
  if (base == "/") base.clear();
  std::vector<std::string> done;
  std::deque<std::string> todo;
  for (auto &c : split_path(path))
    todo.push_back(c);
  int links = 0;
  while (!todo.empty()) {
    std::string c = todo.front();
    todo.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    std::string host = base + join_rel(done) + "/" + c;
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) {
      done.push_back(c);
      continue;
    }
    if (++links > 255) throw_err("resolve " + path + " in " + root, ELOOP);
    char buf[4096];
    ssize_t n = ::readlink(host.c_str(), buf, sizeof buf - 1);
    if (n < 0) throw_errno("readlink " + host);
    std::string target(buf, static_cast<size_t>(n));
    if (!target.empty() && target[0] == '/') done.clear();
    auto parts = split_path(target);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
      todo.push_front(*it);
  }
  std::string out = base + join_rel(done);
  return out.empty() ? "/" : out;
}

unique_fd open_in_root(int root_fd, const std::string &path, int flags, mode_t mode) {
  const size_t start = path.find_first_not_of('/');
  const std::string rel = start == std::string::npos ? std::string(".") : path.substr(start);
  if (!g_no_openat2) {
    struct open_how how = {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    for (;;) {
      long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
      if (fd >= 0) return unique_fd(static_cast<int>(fd));
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno != ENOSYS) throw_errno("open " + path + " in rootfs");
      g_no_openat2 = true;
      break;
    }
  }
  // Userspace fallback: resolve inside the root's host path, then refuse a
  // final symlink (a swapped component would fail the O_NOFOLLOW open).
  std::string host = secure_join(fd_path(root_fd), rel);
  int fd = ::open(host.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) throw_errno("open " + path + " in rootfs");
  return unique_fd(fd);
}

namespace {
// Creates NAME in DIR (a file or a directory), never following a symlink
// for the new name itself. False when something of that name exists.
bool create_in(int dir, const std::string &name, bool as_file, mode_t mode,
               const std::string &shown) {
  if (as_file) {
    int fd = ::openat(dir, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                      mode & 0666);
    if (fd < 0 && errno != EEXIST) throw_errno("create " + shown + " in rootfs");
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }
  if (::mkdirat(dir, name.c_str(), mode) == 0) return true;
  if (errno != EEXIST) throw_errno("mkdir " + shown + " in rootfs");
  return false;
}

// The fast paths of mkdir_in_root: PATH exists (one openat2, resolved in
// the root like every step of the walk), or only its last component is
// missing and is created in its parent. Empty when the full walk is needed.
unique_fd mkdir_fast(int root_fd, const std::string &path, bool as_file, mode_t mode) {
  try {
    return open_in_root(root_fd, path, O_PATH);
  } catch (const Error &e) {
    if (e.err() == ENOTDIR) return {}; // the walk names the component at fault
    if (e.err() != ENOENT) throw;
  }
  auto parts = split_path(path);
  if (parts.empty() || parts.back() == "." || parts.back() == "..") return {};
  std::string parent;
  for (size_t i = 0; i + 1 < parts.size(); ++i)
    parent += "/" + parts[i];
  unique_fd dir;
  try {
    dir = open_in_root(root_fd, parent.empty() ? "/" : parent, O_PATH | O_DIRECTORY);
  } catch (const Error &e) {
    if (e.err() != ENOENT && e.err() != ENOTDIR) throw;
    return {};
  }
  // A name that exists but did not resolve (a dangling symlink) takes the walk.
  if (!create_in(dir.get(), parts.back(), as_file, mode, path)) return {};
  return open_in_root(root_fd, path, O_PATH);
}
} // namespace

unique_fd mkdir_in_root(int root_fd, const std::string &path, bool as_file, mode_t mode) {
  if (unique_fd fd = mkdir_fast(root_fd, path, as_file, mode)) return fd;
  // Resolve existing symlinks first (inside the root), so a dangling one
  // gets its target created inside the root; each step below is still
  // resolved with RESOLVE_IN_ROOT, so a symlink swapped in meanwhile cannot
  // lead out of it.
  std::string resolved = path;
  try {
    const std::string host = fd_path(root_fd);
    const std::string joined = secure_join(host, path);
    resolved = host == "/" ? joined : joined.substr(host.size());
  } catch (const Error &) {
    // No /proc: walk the path as given.
  }
  auto parts = split_path(resolved);
  unique_fd cur = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
  std::string sofar;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string &c = parts[i];
    bool last = i + 1 == parts.size();
    sofar += "/" + c;
    try {
      unique_fd next = open_in_root(root_fd, sofar, O_PATH);
      struct stat st;
      if (::fstat(next.get(), &st) != 0) throw_errno("stat " + sofar + " in rootfs");
      if (!last && !S_ISDIR(st.st_mode)) throw_err("mkdir " + sofar + " in rootfs", ENOTDIR);
      cur = std::move(next);
      continue;
    } catch (const Error &e) {
      if (e.err() != ENOENT) throw;
    }
    // `sofar` does not exist: create it in the directory its parent resolved
    // to (cur), never following a symlink for the new name itself.
    create_in(cur.get(), c, last && as_file, mode, sofar);
    try {
      cur = open_in_root(root_fd, sofar, O_PATH);
    } catch (const Error &e) {
      // It exists but does not resolve: a dangling symlink we refuse to follow.
      if (e.err() == ENOENT) throw Error("mkdir " + sofar + " in rootfs: dangling symlink");
      throw;
    }
  }
  return cur;
}

} // namespace hull
