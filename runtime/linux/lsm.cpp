// AppArmor / SELinux: detection, request checks, exec labels (lsm.hpp).
#include "linux/lsm.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "util/error.hpp"
#include "util/log.hpp"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

namespace hull::sys {
namespace {

std::string read_small(const char *path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// /sys/kernel/security/lsm lists the active LSMs ("capability,apparmor,...").
std::optional<bool> lsm_listed(const std::string &name) {
  std::string list = read_small("/sys/kernel/security/lsm");
  if (list.empty()) return std::nullopt;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ','))
    if (item == name || item == name + "\n") return true;
  return false;
}

bool detect_apparmor() {
  std::string en = read_small("/sys/module/apparmor/parameters/enabled");
  if (en.empty() || en[0] != 'Y') return false;
  return lsm_listed("apparmor").value_or(true);
}

bool detect_selinux() {
  struct statfs sf {};
  if (statfs("/sys/fs/selinux", &sf) < 0 || sf.f_type != SELINUX_MAGIC) return false;
  return lsm_listed("selinux").value_or(true);
}

void write_attr(int proc_root, const std::string &rel, const std::string &value) {
  unique_fd fd = open_in_procfs(proc_root, rel, O_WRONLY | O_CLOEXEC);
  ssize_t n = write(fd.get(), value.data(), value.size());
  if (n != ssize_t(value.size())) throw_errno("write \"" + value + "\" to /proc/" + rel);
}

} // namespace

bool apparmor_enabled() {
  static const bool on = detect_apparmor();
  return on;
}

bool selinux_enabled() {
  static const bool on = detect_selinux();
  return on;
}

std::optional<std::string> lsm_request_error(const spec::Config &c, bool apparmor, bool selinux) {
  if (!c.process) return std::nullopt;
  const auto &p = *c.process;
  if (!p.apparmorProfile.empty() && !apparmor)
    return "apparmor profile \"" + p.apparmorProfile +
           "\" requested but AppArmor is not enabled on this host";
  if (!p.selinuxLabel.empty() && !selinux)
    return "selinux label \"" + p.selinuxLabel +
           "\" requested but SELinux is not enabled on this host";
  return std::nullopt;
}

void check_lsm_requests(const spec::Config &c) {
  bool want =
      c.process && (!c.process->apparmorProfile.empty() || !c.process->selinuxLabel.empty());
  if (!want) return;
  if (auto err = lsm_request_error(c, apparmor_enabled(), selinux_enabled())) throw Error(*err);
}

std::string mount_label(const spec::Config &c, bool selinux) {
  if (!c.linux_ || c.linux_->mountLabel.empty()) return "";
  if (!selinux) {
    log::debug("linux.mountLabel \"" + c.linux_->mountLabel + "\" dropped: SELinux is off");
    return "";
  }
  return c.linux_->mountLabel;
}

std::string mount_label(const spec::Config &c) {
  if (!c.linux_ || c.linux_->mountLabel.empty()) return "";
  return mount_label(c, selinux_enabled());
}

unique_fd open_real_procfs() {
  // A fresh detached instance cannot have been tampered with by the rootfs.
  unique_fd fs(fsopen("proc", FSOPEN_CLOEXEC));
  if (fs && fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0) {
    unique_fd mnt(fsmount(fs.get(), FSMOUNT_CLOEXEC,
                          MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
    if (mnt) return mnt;
  }
  // Fallback (no privilege to create one): /proc, if it is a procfs root.
  unique_fd fd(open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throw_errno("open /proc");
  struct statfs sf {};
  if (fstatfs(fd.get(), &sf) < 0) throw_errno("statfs /proc");
  struct stat st {};
  if (fstat(fd.get(), &st) < 0) throw_errno("stat /proc");
  if (sf.f_type != PROC_SUPER_MAGIC || st.st_ino != 1)
    throw Error("open /proc: not the root of a real procfs");
  return fd;
}

unique_fd open_in_procfs(int proc_root, const std::string &rel, int flags) {
  open_how how{};
  how.flags = uint64_t(flags) | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  long fd = syscall(SYS_openat2, proc_root, rel.c_str(), &how, sizeof how);
  if (fd < 0) throw_errno("open /proc/" + rel);
  unique_fd out(static_cast<int>(fd));
  struct statfs sf {};
  if (fstatfs(out.get(), &sf) < 0) throw_errno("statfs /proc/" + rel);
  if (sf.f_type != PROC_SUPER_MAGIC) throw Error("open /proc/" + rel + ": not on procfs");
  return out;
}

void apply_exec_labels(const spec::Process &p) {
  if (p.apparmorProfile.empty() && p.selinuxLabel.empty()) return;
  unique_fd proc = open_real_procfs();
  if (!p.apparmorProfile.empty()) {
    const std::string v = "exec " + p.apparmorProfile;
    try {
      write_attr(proc.get(), "thread-self/attr/apparmor/exec", v);
    } catch (Error &e) {
      if (e.err() != ENOENT) throw e.context("apply apparmor profile");
      write_attr(proc.get(), "thread-self/attr/exec", v);
    }
  }
  if (!p.selinuxLabel.empty()) {
    try {
      write_attr(proc.get(), "thread-self/attr/exec", p.selinuxLabel);
    } catch (Error &e) {
      throw e.context("apply selinux label");
    }
  }
}

} // namespace hull::sys
