// exec's command-line overrides, applied to the process before it starts.
#include "container/exec.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"

namespace hull::container {
namespace {

uint32_t parse_id(const std::string &flag, const std::string &what, const std::string &text) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos)
    throw Error(flag + ": " + what + " \"" + text + "\" is not a non-negative number");
  unsigned long long v = std::stoull(text);
  if (v > spec::kMaxUserId) // (uid_t)-1 would leave the process root
    throw Error(flag + ": " + what + " " + text + " is out of range (" + spec::kUserIdRange + ")");
  return uint32_t(v);
}

void add_unique(std::vector<std::string> &set, const std::string &cap) {
  for (auto &c : set)
    if (c == cap) return;
  set.push_back(cap);
}

} // namespace

void apply_exec_flags(spec::Process &p, const ExecOptions &o) {
  if (o.tty) p.terminal = true;
  for (auto &e : o.env) {
    if (e.find('=') == std::string::npos || e[0] == '=')
      throw Error("--env: \"" + e + "\" is not NAME=value");
    p.env.push_back(e);
  }
  if (!o.cwd.empty()) {
    if (o.cwd[0] != '/') throw Error("--cwd: \"" + o.cwd + "\" is not an absolute path");
    p.cwd = o.cwd;
  }
  if (p.cwd.empty()) p.cwd.push_back('/'); // (not = "/": a GCC 12 -Wrestrict false positive)
  if (!o.user.empty()) {
    auto colon = o.user.find(':');
    p.user.uid = parse_id("--user", "uid", o.user.substr(0, colon));
    if (colon != std::string::npos)
      p.user.gid = parse_id("--user", "gid", o.user.substr(colon + 1));
  }
  for (auto &g : o.additional_gids)
    p.user.additionalGids.push_back(parse_id("--additional-gids", "gid", g));
  if (!o.caps.empty()) {
    if (!p.capabilities) p.capabilities = spec::Capabilities{};
    auto &c = *p.capabilities;
    // Ambient needs the inheritable bit, which --cap does not add (runc).
    bool ambient = !c.inheritable.empty();
    for (auto cap : o.caps) {
      for (auto &ch : cap)
        ch = char(std::toupper((unsigned char)ch));
      if (cap.rfind("CAP_", 0) != 0) cap = "CAP_" + cap;
      add_unique(c.bounding, cap);
      add_unique(c.effective, cap);
      add_unique(c.permitted, cap);
      if (ambient) add_unique(c.ambient, cap);
    }
  }
  if (o.no_new_privs) p.noNewPrivileges = true;
  if (!o.apparmor.empty()) p.apparmorProfile = o.apparmor;
  if (!o.label.empty()) p.selinuxLabel = o.label;
}

std::map<std::string, std::string> parse_exec_cgroups(const std::vector<std::string> &values) {
  std::map<std::string, std::string> out;
  for (const auto &v : values) {
    auto colon = v.find(':');
    std::string ctrls = colon == std::string::npos ? "" : v.substr(0, colon);
    std::string path = colon == std::string::npos ? v : v.substr(colon + 1);
    std::string clean;
    size_t i = 0;
    while (i <= path.size()) {
      size_t j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      std::string part = path.substr(i, j - i);
      if (part == "..") // runc's words first
        throw Error("--cgroup " + v + ": " + path +
                    " is not a sub cgroup path (\"..\" is not allowed)");
      if (!part.empty() && part != ".") clean += (clean.empty() ? "" : "/") + part;
      i = j + 1;
    }
    // "/" (clean is empty): the container's own cgroup, as in runc
    std::vector<std::string> names;
    size_t k = 0;
    do {
      size_t e = ctrls.find(',', k);
      names.push_back(ctrls.substr(k, e == std::string::npos ? e : e - k));
      k = e == std::string::npos ? ctrls.size() + 1 : e + 1;
    } while (k <= ctrls.size());
    for (const auto &n : names) {
      if (colon != std::string::npos && n.empty())
        throw Error("--cgroup " + v + ": empty controller name");
      if (!out.emplace(n, clean).second)
        throw Error("--cgroup " + v + ": " + (n.empty() ? "a path" : "controller " + n) +
                    " given twice");
    }
  }
  return out;
}

} // namespace hull::container
