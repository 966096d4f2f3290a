#include "linux/tmpcopyup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/mounts.hpp"
#include "util/error.hpp"
#include "util/safe_path.hpp"

namespace hull::sys {

namespace {

void copy_meta(int dir, const char *name, const struct stat &st, const std::string &shown) {
  if (::fchownat(dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
    throw_errno("tmpcopyup chown " + shown);
  if (!S_ISLNK(st.st_mode) && ::fchmodat(dir, name, st.st_mode & 07777, 0) != 0)
    throw_errno("tmpcopyup chmod " + shown);
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(dir, name, ts, AT_SYMLINK_NOFOLLOW) != 0)
    throw_errno("tmpcopyup utimes " + shown);
}

void copy_file(int src_dir, int dst_dir, const char *name, const struct stat &st,
               const std::string &shown) {
  unique_fd in(::openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) throw_errno("tmpcopyup open " + shown);
  unique_fd out(
      ::openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) throw_errno("tmpcopyup create " + shown);
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = ::sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("tmpcopyup copy " + shown);
    if (n == 0) break;
    left -= n;
  }
}

} // namespace

void copy_tree(int src_dir, int dst_dir, const std::string &shown) {
  int dup = ::openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) throw_errno("tmpcopyup open " + shown);
  DIR *d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    throw_errno("tmpcopyup read " + shown);
  }
  struct Closer {
    DIR *d;
    ~Closer() { ::closedir(d); }
  } closer{d};
  while (struct dirent *e = ::readdir(d)) {
    const char *name = e->d_name;
    if (std::string(name) == "." || std::string(name) == "..") continue;
    const std::string path = shown + "/" + name;
    struct stat st;
    if (::fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      throw_errno("tmpcopyup stat " + path);
    if (S_ISDIR(st.st_mode)) {
      if (::mkdirat(dst_dir, name, 0700) != 0) throw_errno("tmpcopyup mkdir " + path);
      unique_fd s(::openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      unique_fd t(::openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!s || !t) throw_errno("tmpcopyup open " + path);
      copy_tree(s.get(), t.get(), path);
    } else if (S_ISREG(st.st_mode)) {
      copy_file(src_dir, dst_dir, name, st, path);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlinkat(src_dir, name, target.data(), target.size());
      if (n < 0) throw_errno("tmpcopyup readlink " + path);
      target.resize(static_cast<size_t>(n));
      if (::symlinkat(target.c_str(), dst_dir, name) != 0) throw_errno("tmpcopyup symlink " + path);
    } else {
      if (::mknodat(dst_dir, name, st.st_mode, st.st_rdev) != 0)
        throw_errno("tmpcopyup mknod " + path);
    }
    copy_meta(dst_dir, name, st, path);
  }
}

void tmpcopyup_mount(int root_fd, int target_fd, const PlannedMount &m) {
  const std::string what = "mount tmpfs to " + m.destination;
  const unsigned long flags = m.opts.flags;
  unique_fd mnt = new_fs("tmpfs", m.source, flags & ~MS_RDONLY, m.opts.data, what);
  unique_fd src = open_in_root(root_fd, m.destination, O_RDONLY | O_DIRECTORY);
  copy_tree(src.get(), mnt.get(), m.destination);
  // The tmpfs root itself takes the old directory's owner and mode.
  struct stat st;
  if (::fstat(src.get(), &st) != 0) throw_errno("tmpcopyup stat " + m.destination);
  if (::fchownat(mnt.get(), "", st.st_uid, st.st_gid, AT_EMPTY_PATH) != 0)
    throw_errno("tmpcopyup chown " + m.destination);
  if (flags & MS_RDONLY) set_attrs(mnt.get(), MOUNT_ATTR_RDONLY, 0, false, what);
  attach(mnt.get(), target_fd, what);
}

} // namespace hull::sys
