// The process environment as runc builds it: a later NAME=value replaces an
// earlier one, and HOME comes from the user's /etc/passwd entry (or "/")
// when the config does not set it.
#include <fstream>
#include <set>
#include <sstream>

#include "linux/process.hpp"
#include "linux/process_plan.hpp"

namespace hull::sys {

std::vector<std::string> dedup_env(const std::vector<std::string> &env) {
  // Walk backwards so the last NAME= wins, then restore the order.
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (auto it = env.rbegin(); it != env.rend(); ++it) {
    std::string name = it->substr(0, it->find('='));
    if (!seen.insert(name).second) continue;
    out.push_back(*it);
  }
  return {out.rbegin(), out.rend()};
}

bool env_has(const std::vector<std::string> &env, const std::string &name) {
  for (const auto &e : env)
    if (e.size() > name.size() && e[name.size()] == '=' && e.compare(0, name.size(), name) == 0)
      return true;
  return false;
}

std::optional<std::string> passwd_home(const std::string &passwd, uid_t uid) {
  std::istringstream in(passwd);
  std::string line;
  while (std::getline(in, line)) {
    // name:password:uid:gid:gecos:home:shell
    std::vector<std::string> f;
    std::istringstream ls(line);
    std::string field;
    while (std::getline(ls, field, ':'))
      f.push_back(field);
    if (f.size() < 6 || f[2].empty() || f[2].find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (std::stoull(f[2]) == uid) return f[5];
  }
  return std::nullopt;
}

void prepare_env(spec::Process &p) {
  p.env = dedup_env(p.env);
  if (env_has(p.env, "HOME")) return;
  std::ifstream f("/etc/passwd");
  std::optional<std::string> home;
  if (f) {
    std::stringstream ss;
    ss << f.rdbuf();
    home = passwd_home(ss.str(), p.user.uid);
  }
  p.env.push_back("HOME=" + (home && !home->empty() ? *home : std::string("/")));
}

} // namespace hull::sys
