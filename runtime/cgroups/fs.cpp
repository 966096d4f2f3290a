#include "cgroups/fs.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "util/errno_text.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::cgroups {

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

namespace {
std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep))
    out.push_back(cur);
  return out;
}
} // namespace

std::vector<CgroupMount> parse_cgroup_mounts(const std::string &mountinfo) {
  std::vector<CgroupMount> out;
  std::istringstream in(mountinfo);
  std::string line;
  while (std::getline(in, line)) {
    // id parent maj:min root mount-point opts [optional...] - fstype source super-opts
    // Most lines are other filesystems: skip them before tokenizing (spaces
    // inside fields are escaped as \040, so " - " is the separator).
    const size_t sep = line.find(" - ");
    if (sep == std::string::npos ||
        (line.compare(sep + 3, 7, "cgroup ") != 0 && line.compare(sep + 3, 8, "cgroup2 ") != 0))
      continue;
    std::istringstream f(line);
    std::vector<std::string> w;
    std::string tok;
    while (f >> tok)
      w.push_back(tok);
    size_t dash = 0;
    while (dash < w.size() && w[dash] != "-")
      ++dash;
    if (dash < 6 || dash + 2 >= w.size()) continue;
    const std::string &fstype = w[dash + 1];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupMount m;
    m.root = w[3];
    m.mount_point = w[4];
    m.v2 = fstype == "cgroup2";
    if (!m.v2 && dash + 3 < w.size()) {
      static const char *not_ctrl[] = {"rw",       "ro",    "relatime",      "noatime",
                                       "nosuid",   "nodev", "noexec",        "clone_children",
                                       "noprefix", "xattr", "cpuset_v2_mode"};
      for (const auto &o : split(w[dash + 3], ',')) {
        bool skip = false;
        for (const char *n : not_ctrl)
          skip = skip || o == n;
        if (o.rfind("release_agent=", 0) == 0) skip = true;
        if (!skip) m.controllers.push_back(o);
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::map<std::string, std::string> parse_proc_cgroup(const std::string &text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':');
    auto b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    const std::string ctrls = line.substr(a + 1, b - a - 1);
    const std::string path = line.substr(b + 1);
    if (ctrls.empty()) {
      out[""] = path;
      continue;
    }
    for (const auto &c : split(ctrls, ','))
      out[c] = path;
  }
  return out;
}

std::optional<std::string> read_file(const std::string &path) {
  unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string read_file_or_throw(const std::string &path) {
  auto t = read_file(path);
  if (!t) throw_errno("read " + path);
  return *t;
}

bool file_exists(const std::string &path) {
  return ::access(path.c_str(), F_OK) == 0;
}

namespace {
// " (the parent cgroup allows 0-1)": what DIR's parent has of FILE (cpuset.cpus
// ..., cpuset.cpus.effective on v2), for a value the kernel refused.
std::string parent_allows(const std::string &dir, const std::string &file) {
  const std::string parent = dir.substr(0, dir.find_last_of('/'));
  auto v = read_file(parent + "/" + file + ".effective");
  if (!v) v = read_file(parent + "/" + file);
  if (!v) return "";
  std::string t = trim(*v);
  if (file == "cpu.rt_runtime_us")
    return " (the parent cgroup " + parent + " has " + (t.empty() ? "no" : t) +
           " microseconds of real-time runtime, shared by its children)";
  return " (the parent cgroup allows " + (t.empty() ? std::string("none") : t) + ")";
}
} // namespace

void write_cgroup_file(const std::string &dir, const std::string &file, const std::string &value) {
  const std::string path = dir + "/" + file;
  unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) {
    int e = errno;
    if (e == ENOENT)
      throw Error(file + " = " + value + ": not supported by this host (no such file in " + dir +
                  ")");
    throw Error(file + " = " + value, e);
  }
  ssize_t n;
  do
    n = ::write(fd.get(), value.data(), value.size());
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    int e = errno;
    std::string hint;
    if (e == EBUSY && file.rfind("memory.", 0) == 0) hint = " (current usage is higher)";
    if (e == EINVAL && file.find("memsw") != std::string::npos)
      hint = " (memory+swap must be >= the memory limit)";
    if (e == EINVAL && file == "memory.limit_in_bytes")
      hint = " (memory limit must be <= memory+swap)";
    if ((e == EINVAL || e == ERANGE) && (file == "cpuset.cpus" || file == "cpuset.mems"))
      hint = parent_allows(dir, file);
    if ((e == EINVAL || e == EBUSY) && file == "cpu.rt_runtime_us") hint = parent_allows(dir, file);
    if (hint.empty()) throw Error(file + " = " + value, e); // the caller may look at errno
    throw Error(file + " = " + value + ": " + errno_text(e) + hint);
  }
}

std::vector<std::string> missing_dirs(const std::string &path) {
  std::string cur;
  for (const auto &c : split(path, '/'))
    if (!c.empty()) cur += "/" + c;
  // Walk up from the leaf: nearly always only the leaf is missing.
  std::vector<std::string> out;
  struct stat st;
  while (!cur.empty() && ::stat(cur.c_str(), &st) < 0) {
    out.insert(out.begin(), cur);
    cur = cur.substr(0, cur.rfind('/'));
  }
  return out;
}

namespace {
// mkdir -p of the normalised PATH (no empty components): one mkdir when the
// parent exists, as it nearly always does, instead of one per component.
void make_dirs_in(const std::string &path, std::vector<std::string> &created) {
  if (::mkdir(path.c_str(), 0755) == 0) {
    created.push_back(path);
    return;
  }
  if (errno == EEXIST) return;
  if (errno != ENOENT || path.rfind('/') == 0) throw_errno("create cgroup " + path);
  make_dirs_in(path.substr(0, path.rfind('/')), created);
  if (::mkdir(path.c_str(), 0755) == 0)
    created.push_back(path);
  else if (errno != EEXIST)
    throw_errno("create cgroup " + path);
}
} // namespace

std::vector<std::string> make_dirs(const std::string &path) {
  std::string norm;
  for (const auto &c : split(path, '/'))
    if (!c.empty()) norm += "/" + c;
  std::vector<std::string> created;
  if (!norm.empty()) make_dirs_in(norm, created);
  return created;
}

namespace {
std::vector<std::string> subdirs(const std::string &dir) {
  std::vector<std::string> out;
  DIR *d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent *e = ::readdir(d)) {
    if (e->d_type != DT_DIR) continue;
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    out.push_back(dir + "/" + n);
  }
  ::closedir(d);
  return out;
}
} // namespace

void remove_cgroup_tree(const std::string &dir) {
  // Usually a leaf whose processes are gone: one rmdir, no directory listing.
  if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
  for (const auto &s : subdirs(dir))
    remove_cgroup_tree(s);
  // Processes that were just killed leave the cgroup asynchronously.
  auto delay = std::chrono::milliseconds(5);
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY || attempt >= 9) throw_errno("remove cgroup " + dir);
    std::this_thread::sleep_for(delay);
    delay *= 2; // 5 ms .. ~2.5 s in total
  }
}

std::vector<int> read_pids_tree(const std::string &dir) {
  std::vector<int> out;
  if (auto t = read_file(dir + "/cgroup.procs")) {
    std::istringstream in(*t);
    int p;
    while (in >> p)
      out.push_back(p);
  }
  for (const auto &s : subdirs(dir)) {
    auto sub = read_pids_tree(s);
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}

} // namespace hull::cgroups
