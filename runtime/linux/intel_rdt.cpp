#include "linux/intel_rdt.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {

namespace {

void write_text(const std::string &path, const std::string &text, const std::string &what) {
  unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) throw_errno(what + ": open " + path);
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_errno(what + ": write " + path);
}

} // namespace

RdtPlan plan_intel_rdt(const spec::IntelRdt &r, const std::string &id) {
  RdtPlan p;
  p.own_group = r.closID.empty();
  p.group = p.own_group ? id : r.closID;
  if (!r.l3CacheSchema.empty()) p.schemata.push_back(r.l3CacheSchema);
  if (!r.memBwSchema.empty()) p.schemata.push_back(r.memBwSchema);
  for (const auto &s : r.schemata)
    p.schemata.push_back(s);
  if (r.enableMonitoring) p.mon_group = "mon_groups/" + id;
  return p;
}

std::string resctrl_root() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, word, fstype;
    f >> id >> parent >> dev >> root >> point;
    while (f >> word && word != "-") {
    }
    f >> fstype;
    if (fstype == "resctrl") return point;
  }
  return "";
}

void apply_intel_rdt(const spec::Linux *l, const std::string &id, pid_t pid) {
  if (!l || !l->intelRdt) return;
  const std::string what = "linux.intelRdt";
  const std::string root = resctrl_root();
  if (root.empty())
    throw Error(what +
                ": Intel RDT is not supported or not enabled (no resctrl filesystem mounted)");
  const RdtPlan p = plan_intel_rdt(*l->intelRdt, id);
  const std::string dir = root + "/" + p.group;
  bool made = false;
  try {
    if (::mkdir(dir.c_str(), 0755) == 0)
      made = true;
    else if (errno != EEXIST || p.own_group)
      throw_errno(what + ": create resctrl group " + dir);
    for (const auto &s : p.schemata)
      write_text(dir + "/schemata", s + "\n", what);
    write_text(dir + "/tasks", std::to_string(pid), what);
    if (!p.mon_group.empty()) {
      const std::string mon = dir + "/" + p.mon_group;
      if (::mkdir(mon.c_str(), 0755) != 0 && errno != EEXIST)
        throw_errno(what + ".enableMonitoring: create " + mon);
      write_text(mon + "/tasks", std::to_string(pid), what);
    }
  } catch (...) {
    if (!p.mon_group.empty()) ::rmdir((dir + "/" + p.mon_group).c_str());
    if (made) ::rmdir(dir.c_str());
    throw;
  }
}

void remove_intel_rdt(const spec::Linux *l, const std::string &id) {
  if (!l || !l->intelRdt) return;
  const std::string root = resctrl_root();
  if (root.empty()) return;
  const RdtPlan p = plan_intel_rdt(*l->intelRdt, id);
  if (!p.mon_group.empty()) ::rmdir((root + "/" + p.group + "/" + p.mon_group).c_str());
  if (p.own_group) ::rmdir((root + "/" + p.group).c_str());
}

} // namespace hull::sys
