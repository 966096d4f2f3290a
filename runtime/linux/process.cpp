// The init's per-process steps that are not capabilities or the user switch:
// privileged attributes (rlimits, oom_score_adj, ioprio, scheduler,
// personality), no_new_privs, and the executable lookup.
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/process.hpp"
#include "linux/process_plan.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

namespace {

struct Named {
  const char *name;
  unsigned long value;
};

// <sys/personality.h> flag names, as written in config.json.
constexpr Named kPersonalityFlags[] = {
    {"UNAME26", UNAME26},
    {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
    {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
    {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
    {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
    {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
    {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
    {"SHORT_INODE", SHORT_INODE},
    {"WHOLE_SECONDS", WHOLE_SECONDS},
    {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
    {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
};

void write_oom_score_adj(int32_t v) {
  const char *path = "/proc/self/oom_score_adj";
  unique_fd fd(open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) throw_errno(std::string("open ") + path);
  std::string s = std::to_string(v);
  if (write(fd.get(), s.data(), s.size()) != static_cast<ssize_t>(s.size()))
    throw_errno("write oomScoreAdj " + s + " to " + path);
}

PathProbe stat_probe(const std::string &path) {
  PathProbe r;
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    r.err = errno;
    return r;
  }
  r.is_dir = S_ISDIR(st.st_mode);
  r.executable = access(path.c_str(), X_OK) == 0;
  return r;
}

// Go's findExecutable verdict for one candidate: 0 when usable, else the errno.
int verdict(const PathProbe &pr) {
  if (pr.err) return pr.err;
  if (pr.is_dir) return EISDIR;
  if (!pr.executable) return EACCES;
  return 0;
}

} // namespace

unsigned long personality_value(const spec::Personality &p) {
  unsigned long v;
  if (p.domain == "LINUX")
    v = PER_LINUX;
  else if (p.domain == "LINUX32")
    v = PER_LINUX32;
  else
    throw Error("linux.personality.domain: unknown domain \"" + p.domain + "\"");
  for (const auto &f : p.flags) {
    unsigned long bit = 0;
    for (const auto &n : kPersonalityFlags)
      if (f == n.name) bit = n.value;
    if (!bit) throw Error("linux.personality.flags: unknown flag \"" + f + "\"");
    v |= bit;
  }
  return v;
}

void apply_process_attrs(const spec::Process &p, const spec::Linux *lnx) {
  apply_rlimits(p.rlimits);
  if (p.oomScoreAdj) write_oom_score_adj(*p.oomScoreAdj);
  if (p.ioPriority) apply_io_priority(*p.ioPriority);
  if (p.scheduler) apply_scheduler(*p.scheduler);
  if (lnx && lnx->personality) {
    unsigned long v = personality_value(*lnx->personality);
    if (personality(v) == -1) throw_errno("personality " + lnx->personality->domain);
  }
}

void apply_no_new_privs(const spec::Process &p) {
  if (p.noNewPrivileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    throw_errno("prctl PR_SET_NO_NEW_PRIVS");
}

std::optional<std::string> path_from_env(const std::vector<std::string> &env) {
  std::optional<std::string> out;
  for (const auto &e : env)
    if (e.rfind("PATH=", 0) == 0) out = e.substr(5);
  return out;
}

std::string resolve_executable(const std::string &arg0, const std::vector<std::string> &env,
                               const ProbeFn &probe) {
  if (arg0.empty()) throw Error("process.args: args[0] is empty");
  std::string quoted = "exec: \"" + arg0 + "\": ";
  if (arg0.find('/') != std::string::npos) {
    PathProbe pr = probe(arg0);
    if (pr.err) throw Error(quoted + "stat " + arg0, pr.err);
    if (int e = verdict(pr)) throw Error(quoted.substr(0, quoted.size() - 2), e);
    return arg0;
  }
  std::string path = path_from_env(env).value_or(kDefaultPath);
  std::size_t start = 0;
  while (true) {
    std::size_t end = path.find(':', start);
    std::string dir = path.substr(start, end == std::string::npos ? end : end - start);
    if (dir.empty()) dir.push_back('.');
    std::string cand = dir + (dir.back() == '/' ? "" : "/") + arg0;
    if (verdict(probe(cand)) == 0) return cand;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  throw Error(quoted + "executable file not found in $PATH");
}

std::string find_executable(const spec::Process &p) {
  if (p.args.empty()) throw Error("process.args: must not be empty");
  return resolve_executable(p.args[0], p.env, stat_probe);
}

} // namespace hull::sys
