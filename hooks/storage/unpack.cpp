#include "storage/unpack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "storage/digest.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::storage {

namespace {

constexpr size_t kBuf = 1 << 17;

// The fd, hashed as libarchive pulls from it.
struct HashedReader {
  explicit HashedReader(int f) : fd(f) {}
  int fd;
  Sha256 hash;
  unsigned long long size = 0;
  std::vector<char> buf = std::vector<char>(kBuf);
  int err = 0;
};

la_ssize_t read_cb(struct archive *, void *p, const void **out) {
  auto *r = static_cast<HashedReader *>(p);
  for (;;) {
    ssize_t n = ::read(r->fd, r->buf.data(), r->buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r->err = errno;
      return -1;
    }
    r->hash.update(r->buf.data(), static_cast<size_t>(n));
    r->size += static_cast<unsigned long long>(n);
    *out = r->buf.data();
    return n;
  }
}

void drain(HashedReader &r) {
  for (;;) {
    ssize_t n = ::read(r.fd, r.buf.data(), r.buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read archive");
    if (n == 0) return;
    r.hash.update(r.buf.data(), static_cast<size_t>(n));
    r.size += static_cast<unsigned long long>(n);
  }
}

struct ArchiveFree {
  void operator()(struct archive *a) const { archive_read_free(a); }
};

long openat2_raw(int dirfd, const char *path, int flags, unsigned long long resolve) {
  struct open_how how {};
  how.flags = static_cast<unsigned long long>(flags) | O_CLOEXEC;
  how.resolve = resolve;
  return ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

constexpr unsigned long long kBeneath =
    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;

std::vector<std::string> components(const std::string &p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Opens directory `rel` under root, creating missing components (0755),
// never following a symlink: an entry under a symlink is refused.
unique_fd open_dir_creating(int root, const std::string &rel, const std::string &entry) {
  unique_fd cur(::fcntl(root, F_DUPFD_CLOEXEC, 3));
  std::string done;
  for (const auto &c : components(rel)) {
    if (!done.empty()) done += "/";
    done += c;
    long fd = openat2_raw(cur.get(), c.c_str(), O_PATH | O_DIRECTORY, kBeneath);
    if (fd < 0 && errno == ENOENT) {
      if (::mkdirat(cur.get(), c.c_str(), 0755) != 0 && errno != EEXIST)
        throw_errno("archive entry \"" + entry + "\": mkdir " + done);
      fd = openat2_raw(cur.get(), c.c_str(), O_PATH | O_DIRECTORY, kBeneath);
    }
    if (fd < 0) {
      if (errno == ELOOP)
        throw Error("archive entry \"" + entry + "\": goes through symlink \"" + done + "\"");
      if (errno == ENOTDIR)
        throw Error("archive entry \"" + entry + "\": \"" + done + "\" is not a directory");
      throw_errno("archive entry \"" + entry + "\": open " + done);
    }
    cur.reset(static_cast<int>(fd));
  }
  return cur;
}

void split_parent(const std::string &path, std::string &dir, std::string &base) {
  size_t s = path.rfind('/');
  dir = s == std::string::npos ? "" : path.substr(0, s);
  base = s == std::string::npos ? path : path.substr(s + 1);
}

EntryKind kind_of(struct archive_entry *e) {
  if (archive_entry_hardlink(e)) return EntryKind::Hardlink;
  switch (archive_entry_filetype(e)) {
  case AE_IFREG:
    return EntryKind::File;
  case AE_IFDIR:
    return EntryKind::Dir;
  case AE_IFLNK:
    return EntryKind::Symlink;
  case AE_IFIFO:
    return EntryKind::Fifo;
  case AE_IFCHR:
    return EntryKind::CharDev;
  case AE_IFBLK:
    return EntryKind::BlockDev;
  default:
    return EntryKind::Other;
  }
}

// Only file capabilities and user xattrs travel from an image; trusted.*
// (overlay's own metadata) and security labels never do.
void apply_xattrs(int fd, struct archive_entry *e, const std::string &path) {
  archive_entry_xattr_reset(e);
  const char *name;
  const void *value;
  size_t size;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    std::string n = name;
    if (n != "security.capability" && n.rfind("user.", 0) != 0) continue;
    if (::fsetxattr(fd, name, value, size, 0) != 0)
      throw_errno("archive entry \"" + path + "\": set xattr " + n);
  }
}

void set_owner_mode(int fd, struct archive_entry *e, const std::string &path, bool is_dir) {
  if (::fchown(fd, static_cast<uid_t>(archive_entry_uid(e)),
               static_cast<gid_t>(archive_entry_gid(e))) != 0)
    throw_errno("archive entry \"" + path + "\": chown");
  mode_t mode = archive_entry_perm(e) & 07777;
  if (::fchmod(fd, mode) != 0) throw_errno("archive entry \"" + path + "\": chmod");
  if (!is_dir) {
    struct timespec ts[2];
    ts[0].tv_sec = archive_entry_atime(e);
    ts[0].tv_nsec = archive_entry_atime_nsec(e);
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    if (!archive_entry_atime_is_set(e)) ts[0] = ts[1];
    ::futimens(fd, ts);
  }
}

void write_data(struct archive *a, struct archive_entry *e, int fd, const std::string &path) {
  const void *buf;
  size_t size;
  la_int64_t offset;
  for (;;) {
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) throw Error("archive entry \"" + path + "\": " + archive_error_string(a));
    size_t done = 0;
    while (done < size) {
      ssize_t n = ::pwrite(fd, static_cast<const char *>(buf) + done, size - done,
                           static_cast<off_t>(offset + static_cast<la_int64_t>(done)));
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("archive entry \"" + path + "\": write");
      }
      done += static_cast<size_t>(n);
    }
  }
  // sparse files: the hole at the end still counts
  if (archive_entry_size_is_set(e) && ::ftruncate(fd, archive_entry_size(e)) != 0)
    throw_errno("archive entry \"" + path + "\": truncate");
}

void apply_entry(struct archive *a, struct archive_entry *e, int root, const EntryPlan &p) {
  std::string dir, base;
  split_parent(p.path, dir, base);
  if (p.action == Action::Opaque) {
    unique_fd d = open_dir_creating(root, p.path, p.path + "/.wh..wh..opq");
    long fd = openat2_raw(d.get(), ".", O_RDONLY | O_DIRECTORY, kBeneath);
    if (fd < 0) throw_errno("open " + p.path);
    unique_fd rd(static_cast<int>(fd));
    if (::fsetxattr(rd.get(), "trusted.overlay.opaque", "y", 1, 0) != 0)
      throw_errno("archive entry \"" + p.path + "/.wh..wh..opq\": set trusted.overlay.opaque");
    return;
  }
  unique_fd parent = open_dir_creating(root, dir, p.path);
  const int pfd = parent.get();
  const char *name = base.c_str();
  if (p.action == Action::Whiteout) {
    if (::mknodat(pfd, name, S_IFCHR | 0000, makedev(0, 0)) != 0)
      throw_errno("archive entry \"" + p.path + "\": whiteout");
    return;
  }
  switch (kind_of(e)) {
  case EntryKind::File: {
    unique_fd fd(::openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) throw_errno("archive entry \"" + p.path + "\": create");
    write_data(a, e, fd.get(), p.path);
    set_owner_mode(fd.get(), e, p.path, false);
    apply_xattrs(fd.get(), e, p.path);
    return;
  }
  case EntryKind::Dir: {
    if (::mkdirat(pfd, name, 0700) != 0 && errno != EEXIST)
      throw_errno("archive entry \"" + p.path + "\": mkdir");
    long fd = openat2_raw(pfd, name, O_RDONLY | O_DIRECTORY, kBeneath);
    if (fd < 0) {
      if (errno == ELOOP || errno == ENOTDIR)
        throw Error("archive entry \"" + p.path + "\": exists and is not a directory");
      throw_errno("archive entry \"" + p.path + "\": open");
    }
    unique_fd d(static_cast<int>(fd));
    set_owner_mode(d.get(), e, p.path, true);
    apply_xattrs(d.get(), e, p.path);
    return;
  }
  case EntryKind::Symlink:
    if (::symlinkat(p.link.c_str(), pfd, name) != 0)
      throw_errno("archive entry \"" + p.path + "\": symlink");
    if (::fchownat(pfd, name, static_cast<uid_t>(archive_entry_uid(e)),
                   static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("archive entry \"" + p.path + "\": chown");
    return;
  case EntryKind::Hardlink: {
    std::string tdir, tbase;
    split_parent(p.link, tdir, tbase);
    long tfd = openat2_raw(root, p.link.c_str(), O_PATH | O_NOFOLLOW, kBeneath);
    if (tfd < 0)
      throw Error("archive entry \"" + p.path + "\": hard link target \"" + p.link +
                  "\" is not an earlier entry of this layer");
    unique_fd t(static_cast<int>(tfd));
    struct stat st;
    if (::fstat(t.get(), &st) != 0 || S_ISDIR(st.st_mode))
      throw Error("archive entry \"" + p.path + "\": hard link to a directory");
    if (::linkat(t.get(), "", pfd, name, AT_EMPTY_PATH) != 0)
      throw_errno("archive entry \"" + p.path + "\": link");
    return;
  }
  case EntryKind::Fifo:
  case EntryKind::CharDev:
  case EntryKind::BlockDev: {
    mode_t type = archive_entry_filetype(e);
    dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
    if (::mknodat(pfd, name, type | (archive_entry_perm(e) & 07777), dev) != 0)
      throw_errno("archive entry \"" + p.path + "\": mknod");
    if (::fchownat(pfd, name, static_cast<uid_t>(archive_entry_uid(e)),
                   static_cast<gid_t>(archive_entry_gid(e)), AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("archive entry \"" + p.path + "\": chown");
    return;
  }
  case EntryKind::Other:
    break;
  }
  throw Error("archive entry \"" + p.path + "\": unsupported entry type");
}

} // namespace

UnpackResult unpack_tar(int fd, const std::string &dest, const UnpackPolicy &policy) {
  unique_fd root(::open(dest.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("open " + dest);
  HashedReader r(fd);
  std::unique_ptr<struct archive, ArchiveFree> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open(a.get(), &r, nullptr, read_cb, nullptr) != ARCHIVE_OK)
    throw Error(std::string("not a tar archive: ") + archive_error_string(a.get()));
  DuplicateCheck dup;
  UnpackResult res;
  for (;;) {
    struct archive_entry *e;
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      if (r.err) throw_err("read archive", r.err);
      throw Error(std::string("broken archive: ") + archive_error_string(a.get()));
    }
    const char *pn = archive_entry_pathname(e);
    EntryIn in{pn ? pn : "", kind_of(e), ""};
    if (in.kind == EntryKind::Hardlink)
      in.link = archive_entry_hardlink(e);
    else if (in.kind == EntryKind::Symlink && archive_entry_symlink(e))
      in.link = archive_entry_symlink(e);
    EntryPlan p = plan_entry(in, policy);
    dup.add(p);
    res.entries++;
    if (p.action == Action::Skip) continue;
    apply_entry(a.get(), e, root.get(), p);
  }
  if (archive_read_close(a.get()) != ARCHIVE_OK)
    throw Error(std::string("broken archive: ") + archive_error_string(a.get()));
  drain(r);
  res.sha256 = r.hash.hex();
  res.size = r.size;
  return res;
}

UnpackResult hash_file(int fd, std::string *content) {
  HashedReader r(fd);
  for (;;) {
    ssize_t n = ::read(fd, r.buf.data(), r.buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("read");
    if (n == 0) break;
    r.hash.update(r.buf.data(), static_cast<size_t>(n));
    r.size += static_cast<unsigned long long>(n);
    if (content) content->append(r.buf.data(), static_cast<size_t>(n));
  }
  UnpackResult res;
  res.sha256 = r.hash.hex();
  res.size = r.size;
  return res;
}

} // namespace hull::storage
