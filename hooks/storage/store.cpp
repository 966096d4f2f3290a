#include "storage/store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>

#include "util/error.hpp"

namespace hull::storage {

namespace {

void mkdir_p(const std::string &path, mode_t mode) {
  std::string cur;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    cur = path.substr(0, j);
    if (!cur.empty() && ::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST)
      throw_errno("mkdir " + cur);
    i = j + 1;
  }
}

void remove_at(int dirfd, const char *name, dev_t dev, const std::string &shown) {
  struct stat st;
  if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    throw_errno("stat " + shown);
  }
  if (S_ISDIR(st.st_mode)) {
    if (st.st_dev != dev) throw Error("remove " + shown + ": is a mount point (unmount it first)");
    int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw_errno("open " + shown);
    DIR *d = ::fdopendir(fd);
    if (!d) {
      ::close(fd);
      throw_errno("opendir " + shown);
    }
    std::vector<std::string> names;
    while (dirent *e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(n);
    }
    for (const auto &n : names)
      remove_at(::dirfd(d), n.c_str(), dev, shown + "/" + n);
    ::closedir(d);
    if (::unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
      throw_errno("rmdir " + shown);
  } else if (::unlinkat(dirfd, name, 0) != 0 && errno != ENOENT) {
    throw_errno("unlink " + shown);
  }
}

void usage_at(int dirfd, const char *name, std::set<std::pair<dev_t, ino_t>> &seen,
              unsigned long long &total) {
  struct stat st;
  if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (!seen.insert({st.st_dev, st.st_ino}).second) return;
  total += static_cast<unsigned long long>(st.st_blocks) * 512;
  if (!S_ISDIR(st.st_mode)) return;
  int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  DIR *d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return;
  }
  while (dirent *e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") usage_at(::dirfd(d), e->d_name, seen, total);
  }
  ::closedir(d);
}

} // namespace

Store::Store(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/')
    root_.pop_back();
  if (root_.empty() || root_[0] != '/')
    throw Error("--storage \"" + root_ + "\": must be absolute");
  for (const char *d : {"", "/layers", "/images", "/volumes", "/bundles", "/locks", "/tmp"})
    mkdir_p(root_ + d, 0700);
  remove_stale_tmp();
}

Lock Store::lock(const std::string &name, bool exclusive) const {
  std::string p = root_ + "/locks/" + name + ".lock";
  unique_fd fd(::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) throw_errno("open lock " + p);
  while (::flock(fd.get(), exclusive ? LOCK_EX : LOCK_SH) != 0)
    if (errno != EINTR) throw_errno("lock " + p);
  return Lock(std::move(fd));
}

std::string Store::make_tmp(const std::string &kind) const {
  static std::atomic<unsigned> n{0};
  for (;;) {
    std::string p =
        root_ + "/tmp/" + kind + "." + std::to_string(::getpid()) + "." + std::to_string(n++);
    if (::mkdir(p.c_str(), 0700) == 0) return p;
    if (errno != EEXIST) throw_errno("mkdir " + p);
  }
}

void Store::remove_stale_tmp() const {
  // Staging of a dead command (kill -9 mid-import) goes before anything
  // else can trip on it. Names are <kind>.<pid>.<n>.
  auto g = lock("tmp");
  std::string dir = root_ + "/tmp";
  DIR *d = ::opendir(dir.c_str());
  if (!d) throw_errno("opendir " + dir);
  std::vector<std::string> stale;
  while (dirent *e = ::readdir(d)) {
    std::string n = e->d_name;
    auto a = n.find('.');
    auto b = a == std::string::npos ? a : n.find('.', a + 1);
    if (b == std::string::npos) continue;
    long pid = std::atol(n.substr(a + 1, b - a - 1).c_str());
    if (pid > 0 && !pid_alive(pid)) stale.push_back(n);
  }
  ::closedir(d);
  for (const auto &n : stale)
    remove_tree(dir + "/" + n);
}

nlohmann::json Store::tags() const {
  struct stat st;
  if (::stat(tags_file().c_str(), &st) != 0) return nlohmann::json::object();
  try {
    return nlohmann::json::parse(read_file(tags_file()));
  } catch (const nlohmann::json::exception &e) {
    throw Error(tags_file() + ": " + e.what());
  }
}

void Store::save_tags(const nlohmann::json &t) const {
  write_file_atomic(tags_file(), t.dump(2));
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_errno("open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file_atomic(const std::string &path, const std::string &content) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  unique_fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) throw_errno("create " + tmp);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::unlink(tmp.c_str());
      throw_err("write " + tmp, e);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw_err("write " + path, e);
  }
}

void remove_tree(const std::string &path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw_errno("stat " + path);
  }
  remove_at(AT_FDCWD, path.c_str(), st.st_dev, path);
}

unsigned long long disk_usage(const std::string &path) {
  std::set<std::pair<dev_t, ino_t>> seen;
  unsigned long long total = 0;
  usage_at(AT_FDCWD, path.c_str(), seen, total);
  return total;
}

bool pid_alive(long pid) {
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

bool is_mountpoint(const std::string &path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string id, parent, devno, root, mnt;
    ls >> id >> parent >> devno >> root >> mnt;
    // mountinfo escapes space, tab, newline and backslash as octal
    std::string un;
    for (size_t i = 0; i < mnt.size(); i++) {
      if (mnt[i] == '\\' && i + 3 < mnt.size()) {
        un += static_cast<char>(std::stoi(mnt.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        un += mnt[i];
      }
    }
    if (un == path) return true;
  }
  return false;
}

} // namespace hull::storage
