#include "linux/sysctl.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/safe_path.hpp"

namespace hull::sys {

namespace {

bool starts_with(const std::string &s, const std::string &p) {
  return s.rfind(p, 0) == 0;
}

} // namespace

void check_sysctl(const std::string &key, const SysctlNamespaces &ns) {
  const std::string what = "sysctl \"" + key + "\"";
  if (key.empty() || key.front() == '.' || key.back() == '.' ||
      key.find("..") != std::string::npos || key.find('/') != std::string::npos)
    throw Error(what + ": invalid key");
  const bool ipc_key = key == "kernel.sem" || starts_with(key, "kernel.msg") ||
                       starts_with(key, "kernel.shm") || starts_with(key, "fs.mqueue.");
  if (ipc_key) {
    if (!ns.ipc)
      throw Error(what + " is not allowed: the container does not have its own IPC namespace");
    return;
  }
  if (starts_with(key, "net.")) {
    if (!ns.net)
      throw Error(what + " is not allowed: the container does not have its own network namespace");
    return;
  }
  if (key == "kernel.hostname" || key == "kernel.domainname") {
    if (!ns.uts)
      throw Error(what + " is not allowed: the container does not have its own UTS namespace");
    return;
  }
  throw Error(what + " is not in a separate kernel namespace");
}

std::string sysctl_path(const std::string &key) {
  std::string p = "/proc/sys/";
  for (char ch : key)
    p += ch == '.' ? '/' : ch;
  return p;
}

void write_sysctl(const std::string &path, const std::string &value) {
  unique_fd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("open / for sysctl");
  unique_fd fd;
  try {
    fd = open_in_root(root.get(), path, O_WRONLY | O_NOFOLLOW | O_TRUNC);
  } catch (Error &e) {
    throw e.context("write sysctl");
  }
  struct statfs sf;
  if (::fstatfs(fd.get(), &sf) != 0) throw_errno("statfs " + path);
  if (sf.f_type != PROC_SUPER_MAGIC) throw Error("write sysctl " + path + ": not on procfs");
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    throw_errno("write sysctl " + path);
}

} // namespace hull::sys
