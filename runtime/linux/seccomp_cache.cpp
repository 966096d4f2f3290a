// The compiled seccomp program cache (see seccomp_cache.hpp).
#include "linux/seccomp_cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "linux/seccomp.hpp"
#include "linux/sha256.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {
namespace {

constexpr char kMagic[8] = {'H', 'U', 'L', 'L', 'B', 'P', 'F', '\0'};
constexpr uint32_t kFormat = 1;
constexpr uint32_t kMaxInsns = 65535; // sock_fprog.len is 16 bits

bool key_to_bin(const std::string &key, uint8_t out[32]) {
  if (key.size() != 64) return false;
  for (int i = 0; i < 32; i++) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nib(key[2 * i]), lo = nib(key[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = uint8_t(hi << 4 | lo);
  }
  return true;
}

std::string file_for(const std::string &dir, const std::string &key) {
  return dir + "/" + key + ".bpf";
}

// The directory is trusted only when it is ours and nobody else can write it.
bool dir_trusted(const std::string &dir) {
  struct stat st {};
  if (lstat(dir.c_str(), &st) < 0 || !S_ISDIR(st.st_mode)) return false;
  return st.st_uid == geteuid() && (st.st_mode & 022) == 0;
}

bool write_all(int fd, const void *p, size_t n) {
  auto c = static_cast<const char *>(p);
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    c += w;
    n -= size_t(w);
  }
  return true;
}

void evict(const std::string &dir, size_t max_bytes) {
  DIR *d = opendir(dir.c_str());
  if (!d) return;
  struct Entry {
    std::string name;
    struct timespec mtime;
    size_t size;
  };
  std::vector<Entry> files;
  size_t total = 0;
  while (dirent *e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    struct stat st {};
    if (fstatat(dirfd(d), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    bool tmp = n[0] == '.';
    // Stale temporaries of crashed writers (older than a minute) go first.
    if (tmp) {
      if (time(nullptr) - st.st_mtim.tv_sec > 60) unlinkat(dirfd(d), n.c_str(), 0);
      continue;
    }
    files.push_back({n, st.st_mtim, size_t(st.st_size)});
    total += size_t(st.st_size);
  }
  std::sort(files.begin(), files.end(), [](const Entry &a, const Entry &b) {
    return a.mtime.tv_sec != b.mtime.tv_sec ? a.mtime.tv_sec < b.mtime.tv_sec
                                            : a.mtime.tv_nsec < b.mtime.tv_nsec;
  });
  for (const auto &f : files) {
    if (total <= max_bytes) break;
    if (unlinkat(dirfd(d), f.name.c_str(), 0) == 0) {
      total -= f.size;
      log::debug("seccomp cache: evicted " + f.name);
    }
  }
  closedir(d);
}

// A direct writer (no JSON DOM: building one cost more than the whole cache
// lookup). Keys in sorted order and nlohmann's escaping, so the text equals
// nlohmann::json::parse(text).dump() -- the unit tests check that.
void put_str(std::string &o, const std::string &v) {
  static const char *hex = "0123456789abcdef";
  o += '"';
  for (unsigned char c : v) {
    switch (c) {
    case '"':
      o += "\\\"";
      break;
    case '\\':
      o += "\\\\";
      break;
    case '\b':
      o += "\\b";
      break;
    case '\f':
      o += "\\f";
      break;
    case '\n':
      o += "\\n";
      break;
    case '\r':
      o += "\\r";
      break;
    case '\t':
      o += "\\t";
      break;
    default:
      if (c < 0x20) {
        o += "\\u00";
        o += hex[c >> 4];
        o += hex[c & 15];
      } else {
        o += char(c);
      }
    }
  }
  o += '"';
}

void put_key(std::string &o, const char *k) {
  o += '"';
  o += k;
  o += "\":";
}

void put_strs(std::string &o, const std::vector<std::string> &v) {
  o += '[';
  for (size_t i = 0; i < v.size(); i++) {
    if (i) o += ',';
    put_str(o, v[i]);
  }
  o += ']';
}

} // namespace

std::string seccomp_canonical_json(const spec::Seccomp &sc) {
  std::string o;
  o.reserve(64 + sc.syscalls.size() * 96);
  o += '{';
  put_key(o, "architectures");
  put_strs(o, sc.architectures);
  o += ',';
  put_key(o, "defaultAction");
  put_str(o, sc.defaultAction);
  if (sc.defaultErrnoRet) {
    o += ',';
    put_key(o, "defaultErrnoRet");
    o += std::to_string(*sc.defaultErrnoRet);
  }
  o += ',';
  put_key(o, "flags");
  put_strs(o, sc.flags);
  o += ',';
  put_key(o, "listenerMetadata");
  put_str(o, sc.listenerMetadata);
  o += ',';
  put_key(o, "listenerPath");
  put_str(o, sc.listenerPath);
  o += ',';
  put_key(o, "syscalls");
  o += '[';
  for (size_t i = 0; i < sc.syscalls.size(); i++) {
    const auto &c = sc.syscalls[i];
    if (i) o += ',';
    o += '{';
    put_key(o, "action");
    put_str(o, c.action);
    o += ',';
    put_key(o, "args");
    o += '[';
    for (size_t j = 0; j < c.args.size(); j++) {
      const auto &a = c.args[j];
      if (j) o += ',';
      o += '{';
      put_key(o, "index");
      o += std::to_string(a.index);
      o += ',';
      put_key(o, "op");
      put_str(o, a.op);
      o += ',';
      put_key(o, "value");
      o += std::to_string(a.value);
      o += ',';
      put_key(o, "valueTwo");
      o += std::to_string(a.valueTwo);
      o += '}';
    }
    o += ']';
    if (c.errnoRet) {
      o += ',';
      put_key(o, "errnoRet");
      o += std::to_string(*c.errnoRet);
    }
    o += ',';
    put_key(o, "names");
    put_strs(o, c.names);
    o += '}';
  }
  o += "]}";
  return o;
}

std::string seccomp_cache_key(const spec::Seccomp &sc) {
  const scmp_version *v = seccomp_version();
  Sha256 h;
  h.update("hull-seccomp-cache-v2\n");
  h.update(seccomp_canonical_json(sc));
  h.update("\narch=" + std::to_string(seccomp_arch_native()));
  h.update("\nlibseccomp=" + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
           std::to_string(v->micro));
  return to_hex(h.digest());
}

std::optional<std::vector<sock_filter>> seccomp_cache_load(const std::string &dir,
                                                           const std::string &key) {
  uint8_t kbin[32];
  if (!key_to_bin(key, kbin) || !dir_trusted(dir)) return std::nullopt;
  const std::string path = file_for(dir, key);
  unique_fd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return std::nullopt;
  auto reject = [&](const char *why) -> std::optional<std::vector<sock_filter>> {
    log::debug(std::string("seccomp cache: ") + path + " ignored: " + why);
    unlink(path.c_str());
    return std::nullopt;
  };
  struct stat st {};
  if (fstat(fd.get(), &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
      (st.st_mode & 022))
    return reject("not a private regular file");
  SeccompCacheHeader hdr{};
  if (size_t(st.st_size) < sizeof hdr) return reject("truncated");
  if (pread(fd.get(), &hdr, sizeof hdr, 0) != ssize_t(sizeof hdr)) return reject("unreadable");
  if (std::memcmp(hdr.magic, kMagic, sizeof kMagic) != 0) return reject("bad magic");
  if (hdr.format != kFormat) return reject("unknown format");
  if (std::memcmp(hdr.key, kbin, 32) != 0) return reject("key mismatch");
  if (hdr.count == 0 || hdr.count > kMaxInsns ||
      size_t(st.st_size) != sizeof hdr + size_t(hdr.count) * sizeof(sock_filter))
    return reject("bad length");
  std::vector<sock_filter> bpf(hdr.count);
  size_t bytes = bpf.size() * sizeof(sock_filter);
  if (pread(fd.get(), bpf.data(), bytes, sizeof hdr) != ssize_t(bytes)) return reject("short read");
  auto sum = sha256(bpf.data(), bytes);
  if (std::memcmp(sum.data(), hdr.sum, 32) != 0) return reject("checksum mismatch");
  // Recently used files survive eviction longest.
  futimens(fd.get(), nullptr);
  return bpf;
}

void seccomp_cache_store(const std::string &dir, const std::string &key,
                         const std::vector<sock_filter> &bpf, size_t max_bytes) {
  SeccompCacheHeader hdr{};
  if (!key_to_bin(key, hdr.key)) throw Error("seccomp cache: malformed key");
  if (bpf.empty() || bpf.size() > kMaxInsns) throw Error("seccomp cache: bad program size");
  if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) throw_errno("mkdir " + dir);
  if (!dir_trusted(dir)) throw Error("seccomp cache: " + dir + " is not a private directory");
  std::memcpy(hdr.magic, kMagic, sizeof kMagic);
  hdr.format = kFormat;
  hdr.count = uint32_t(bpf.size());
  size_t bytes = bpf.size() * sizeof(sock_filter);
  auto sum = sha256(bpf.data(), bytes);
  std::memcpy(hdr.sum, sum.data(), 32);

  // An unnamed file (O_TMPFILE) linked in only when complete: a writer killed
  // at any point leaves nothing behind. Same key, same content: a link that
  // lost the race to another writer is fine.
  const std::string final_path = file_for(dir, key);
  unique_fd fd(open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
  if (!fd) throw_errno("create temporary file in " + dir);
  if (!write_all(fd.get(), &hdr, sizeof hdr) || !write_all(fd.get(), bpf.data(), bytes))
    throw_errno("write seccomp cache entry " + final_path);
  const std::string self = "/proc/self/fd/" + std::to_string(fd.get());
  if (linkat(AT_FDCWD, self.c_str(), AT_FDCWD, final_path.c_str(), AT_SYMLINK_FOLLOW) < 0) {
    if (errno != EEXIST) throw_errno("link " + final_path);
    // A damaged entry (the lookup rejected it) is replaced.
    unlink(final_path.c_str());
    if (linkat(AT_FDCWD, self.c_str(), AT_FDCWD, final_path.c_str(), AT_SYMLINK_FOLLOW) < 0 &&
        errno != EEXIST)
      throw_errno("link " + final_path);
  }
  fd.reset();
  evict(dir, max_bytes);
}

} // namespace hull::sys
