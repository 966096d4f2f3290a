// process.user: supplementary groups, gid, uid (capabilities kept across the
// switch with PR_SET_KEEPCAPS) and the umask.
#include <cerrno>
#include <fstream>
#include <grp.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/process.hpp"
#include "linux/process_plan.hpp"
#include "util/error.hpp"

namespace hull::sys {

namespace {

std::string trim(const std::string &s) {
  auto b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

std::string read_setgroups() {
  std::ifstream f("/proc/self/setgroups");
  if (!f) return "";
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

} // namespace

UserPlan plan_user(const spec::User &user, const std::string &setgroups_text) {
  UserPlan p;
  p.set_groups = trim(setgroups_text) != "deny";
  p.groups.assign(user.additionalGids.begin(), user.additionalGids.end());
  if (!p.set_groups && !p.groups.empty())
    throw Error("process.user.additionalGids: setgroups is denied in this user namespace "
                "(/proc/self/setgroups is \"deny\"), supplementary groups cannot be set");
  p.gid = user.gid;
  p.uid = user.uid;
  p.umask = static_cast<mode_t>(user.umask.value_or(022) & 07777);
  return p;
}

namespace {

// Like runc: stdin/out/err (a pty slave above all) become the process
// user's, keeping their group (devpts' gid=5), so a non-root process owns its
// terminal. /dev/null and fds already owned by the user are left alone, and
// so are fds the user namespace cannot map (EINVAL, EPERM).
void give_stdio_to_user(uid_t uid) {
  struct stat null {};
  if (::stat("/dev/null", &null) != 0) throw_errno("stat /dev/null");
  for (int fd = 0; fd <= 2; fd++) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      if (errno == EBADF) continue;
      throw_errno("fstat fd " + std::to_string(fd));
    }
    if (st.st_uid == uid || (S_ISCHR(st.st_mode) && st.st_rdev == null.st_rdev)) continue;
    if (::fchown(fd, uid, st.st_gid) != 0 && errno != EINVAL && errno != EPERM)
      throw_errno("chown fd " + std::to_string(fd) + " to uid " + std::to_string(uid));
  }
}

} // namespace

void set_user(const spec::Process &p) {
  give_stdio_to_user(p.user.uid);
  UserPlan plan = plan_user(p.user, read_setgroups());
  if (plan.set_groups && setgroups(plan.groups.size(), plan.groups.data()) != 0) {
    std::string list;
    for (gid_t g : plan.groups) {
      if (!list.empty()) list.push_back(',');
      list += std::to_string(g);
    }
    throw_errno("setgroups [" + list + "]");
  }
  if (setresgid(plan.gid, plan.gid, plan.gid) != 0)
    throw_errno("setgid " + std::to_string(plan.gid));
  // Keep the permitted set across the change away from uid 0; effective
  // caps are cleared by the kernel and set again by apply_capabilities.
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) throw_errno("prctl PR_SET_KEEPCAPS");
  if (setresuid(plan.uid, plan.uid, plan.uid) != 0)
    throw_errno("setuid " + std::to_string(plan.uid));
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) throw_errno("prctl PR_SET_KEEPCAPS");
  umask(plan.umask);
}

} // namespace hull::sys
