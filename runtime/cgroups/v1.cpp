// cgroup v1 driver, including the hybrid layout (v1 controllers plus a
// cgroup2 mount at /sys/fs/cgroup/unified, used for hugetlb when v1 lacks it).
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cgroups/drivers.hpp"
#include "cgroups/fs.hpp"
#include "cgroups/stats.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace hull::cgroups::detail {

namespace {

constexpr int FREEZE_TIMEOUT_MS = 5000;

class V1OomWatch : public OomWatch {
public:
  V1OomWatch(unique_fd efd, unique_fd ctl, std::string dir)
      : efd_(std::move(efd)), ctl_(std::move(ctl)), dir_(std::move(dir)) {}
  int fd() const override { return efd_.get(); }
  int consume() override {
    uint64_t n = 0;
    if (::read(efd_.get(), &n, sizeof n) != sizeof n) return 0;
    // The eventfd also fires when the cgroup is removed.
    if (!file_exists(dir_ + "/memory.oom_control")) return -1;
    return static_cast<int>(n);
  }

private:
  unique_fd efd_, ctl_;
  std::string dir_;
};

class V1Manager : public Manager {
public:
  V1Manager() = default;

  // Fills dirs_ for every mounted hierarchy.
  void place(const std::string &id, const std::string &cgroups_path) {
    auto mounts = parse_cgroup_mounts(read_file_or_throw("/proc/self/mountinfo"));
    auto own = parse_proc_cgroup(read_file_or_throw("/proc/self/cgroup"));
    std::string abs_inner;
    for (const auto &m : mounts) {
      if (m.mount_point.rfind("/sys/fs/cgroup", 0) != 0) continue;
      std::vector<std::string> keys = m.v2 ? std::vector<std::string>{"unified"} : m.controllers;
      if (keys.empty()) continue;
      if (dirs_.count(keys[0])) continue; // mounted twice
      const std::string own_path = own.count(m.v2 ? "" : keys[0]) ? own[m.v2 ? "" : keys[0]] : "/";
      std::string inner = resolve_path(id, cgroups_path, own_path, Layout::v1);
      if (!m.v2 && keys[0] == "cpu") path_ = inner;
      if (path_.empty() && !m.v2) path_ = inner;
      // Inside a cgroup namespace the mount root is not the hierarchy root.
      if (m.root != "/" && inner.rfind(m.root, 0) == 0) inner = inner.substr(m.root.size());
      const std::string dir = m.mount_point + (inner == "/" ? "" : inner);
      for (const auto &k : keys)
        dirs_[k] = dir;
      if (m.v2) hugetlb_on_v2_ = true;
    }
    if (dirs_.count("hugetlb")) hugetlb_on_v2_ = false;
    if (dirs_.empty()) throw Error("no cgroup hierarchy mounted under /sys/fs/cgroup");
  }

  void create(const spec::Resources *res, std::optional<uid_t> uid,
              std::optional<gid_t> gid) override {
    for (const auto &dir : unique_dirs())
      for (const auto &d : make_dirs(dir))
        if (std::find(created_.begin(), created_.end(), d) == created_.end()) created_.push_back(d);
    if (dirs_.count("cpuset")) inherit_cpuset(dirs_["cpuset"]);
    if (hugetlb_on_v2_ && res && !res->hugepageLimits.empty()) enable_unified("hugetlb");
    for (const auto &dir : unique_dirs())
      chown_cgroup(dir, uid, gid,
                   {"cgroup.procs", "tasks", "cgroup.subtree_control", "cgroup.threads"});
    spec::Resources r = res ? *res : spec::Resources{};
    // Devices are always restricted (runc's default list when none is given).
    r.devices = effective_device_rules(r.devices, linux_devices_);
    apply(r, false);
  }

  void claim() override {
    created_.clear();
    for (const auto &dir : unique_dirs())
      for (const auto &d : missing_dirs(dir))
        if (std::find(created_.begin(), created_.end(), d) == created_.end()) created_.push_back(d);
  }

  void adopt() override { created_ = unique_dirs(); }

  int clone_into_fd() override { return -1; }

  void add_pid(pid_t pid) override {
    for (const auto &dir : unique_dirs()) {
      try {
        write_cgroup_file(dir, "cgroup.procs", std::to_string(pid));
      } catch (Error &e) {
        throw e.context("join cgroup " + dir);
      }
    }
  }

  void add_pid_sub(pid_t pid, const std::map<std::string, std::string> &subs) override {
    for (const auto &[ctrl, sub] : subs)
      if (!ctrl.empty() && !dirs_.count(ctrl))
        throw Error("--cgroup: unknown controller \"" + ctrl + "\" (not mounted)");
    auto all = subs.find("");
    for (const auto &[ctrl, dir] : dirs_) {
      auto it = subs.find(ctrl);
      const std::string *sub = it != subs.end()    ? &it->second
                               : all != subs.end() ? &all->second
                                                   : nullptr;
      const std::string target = sub ? dir + "/" + *sub : dir;
      if (sub && !file_exists(target + "/cgroup.procs"))
        throw Error("--cgroup: adding pid " + std::to_string(pid) + " to " + target +
                    "/cgroup.procs: no such file or directory (the sub-cgroup does not exist)");
      try {
        write_cgroup_file(target, "cgroup.procs", std::to_string(pid));
      } catch (Error &e) {
        throw e.context("join cgroup " + target);
      }
    }
  }

  void update(const spec::Resources &res) override {
    spec::Resources r = res;
    if (!r.devices.empty()) r.devices = effective_device_rules(r.devices, linux_devices_);
    apply(r, true);
  }

  std::vector<pid_t> pids() override {
    for (const char *k : {"pids", "freezer", "devices", "memory", "cpu"})
      if (dirs_.count(k)) return read_pids_tree(dirs_[k]);
    return read_pids_tree(dirs_.begin()->second);
  }

  void freeze(bool frozen) override {
    const std::string dir = need("freezer");
    const std::string want = frozen ? "FROZEN" : "THAWED";
    write_cgroup_file(dir, "freezer.state", want);
    auto state = [&] { return trim(read_file(dir + "/freezer.state").value_or("")); };
    int rounds = 0;
    const bool ok = wait_until(
        [&] {
          if (state() == want) return true;
          // A task that forked meanwhile can leave it FREEZING: ask again.
          if (frozen && ++rounds % 50 == 0) write_cgroup_file(dir, "freezer.state", want);
          return false;
        },
        FREEZE_TIMEOUT_MS);
    if (ok) return;
    const std::string seen = state();
    if (frozen) {
      try {
        write_cgroup_file(dir, "freezer.state", "THAWED");
      } catch (const Error &) {
      }
      throw Error("freeze " + dir + ": still " + seen + " after " +
                  std::to_string(FREEZE_TIMEOUT_MS / 1000) + "s; thawed the container again");
    }
    throw Error("thaw " + dir + ": still " + seen + " after " +
                std::to_string(FREEZE_TIMEOUT_MS / 1000) + "s");
  }

  bool frozen() override {
    if (!dirs_.count("freezer")) return false;
    return trim(read_file(dirs_["freezer"] + "/freezer.state").value_or("")) == "FROZEN";
  }

  nlohmann::json stats() override {
    auto reader = [this](const std::string &ctrl, const std::string &file) {
      auto it = dirs_.find(ctrl);
      if (it == dirs_.end()) return std::optional<std::string>();
      return read_file(it->second + "/" + file);
    };
    return stats_v1(reader, host_hugepage_sizes(), hugetlb_on_v2_, ::sysconf(_SC_CLK_TCK));
  }

  void destroy() override {
    std::set<std::string> created(created_.begin(), created_.end());
    std::string first_error;
    for (const auto &dir : unique_dirs()) {
      if (!created.count(dir)) continue; // joined an existing cgroup: not ours to remove
      try {
        remove_cgroup_tree(dir);
      } catch (const Error &e) {
        if (first_error.empty()) first_error = e.what();
      }
    }
    // Parents hull created, if no other container uses them now.
    const auto leaves = unique_dirs(); // removed above (or kept on purpose)
    for (auto it = created_.rbegin(); it != created_.rend(); ++it)
      if (std::find(leaves.begin(), leaves.end(), *it) == leaves.end()) ::rmdir(it->c_str());
    if (!first_error.empty()) throw Error(first_error);
  }

  nlohmann::json to_json() const override {
    return {{"driver", "v1"},
            {"path", path_},
            {"dirs", dirs_},
            {"created", created_},
            {"hugetlb_on_v2", hugetlb_on_v2_},
            {"devices", devices_to_json(linux_devices_)}};
  }

  void from_json(const nlohmann::json &j) {
    path_ = j.value("path", "");
    dirs_ = j.at("dirs").get<std::map<std::string, std::string>>();
    created_ = j.value("created", std::vector<std::string>{});
    hugetlb_on_v2_ = j.value("hugetlb_on_v2", false);
    linux_devices_ = devices_from_json(j.value("devices", nlohmann::json::array()));
  }

  std::string path() const override { return path_; }
  Layout layout() const override { return Layout::v1; }

  std::unique_ptr<OomWatch> watch_oom() override {
    const std::string dir = need("memory");
    unique_fd efd(::eventfd(0, EFD_CLOEXEC));
    if (!efd) throw_errno("eventfd for OOM notifications");
    unique_fd ctl(::open((dir + "/memory.oom_control").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ctl) throw_errno("open " + dir + "/memory.oom_control");
    write_cgroup_file(dir, "cgroup.event_control",
                      std::to_string(efd.get()) + " " + std::to_string(ctl.get()));
    return std::make_unique<V1OomWatch>(std::move(efd), std::move(ctl), dir);
  }

private:
  std::vector<std::string> unique_dirs() const {
    std::vector<std::string> out;
    for (const auto &[k, d] : dirs_)
      if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    return out;
  }

  std::string need(const std::string &ctrl) const {
    auto it = dirs_.find(ctrl);
    if (it == dirs_.end())
      throw Error("cgroup controller " + ctrl + " is not mounted on this host");
    return it->second;
  }

  // A new cpuset cgroup starts with empty cpus/mems: copy them down from the
  // parent, outermost first, or no task could join it.
  void inherit_cpuset(const std::string &leaf) {
    const std::string root = leaf.substr(0, leaf.find('/', std::string("/sys/fs/cgroup/").size()));
    std::vector<std::string> chain;
    for (std::string d = leaf; d.size() > root.size(); d = d.substr(0, d.find_last_of('/')))
      chain.push_back(d);
    std::reverse(chain.begin(), chain.end());
    for (const auto &d : chain) {
      const std::string parent = d.substr(0, d.find_last_of('/'));
      for (const char *f : {"cpuset.cpus", "cpuset.mems"}) {
        if (!trim(read_file(d + "/" + f).value_or("")).empty()) continue;
        write_cgroup_file(d, f, trim(read_file_or_throw(parent + "/" + f)));
      }
    }
  }

  // Enables a controller on the cgroup2 mount of a hybrid host down to the leaf.
  void enable_unified(const std::string &ctrl) {
    const std::string leaf = dirs_["unified"];
    const std::string root = "/sys/fs/cgroup/unified";
    for (std::string d = root; d.size() < leaf.size();) {
      auto subtree = read_file(d + "/cgroup.subtree_control").value_or("");
      if (subtree.find(ctrl) == std::string::npos)
        write_cgroup_file(d, "cgroup.subtree_control", "+" + ctrl);
      auto next = leaf.find('/', d.size() + 1);
      d = leaf.substr(0, next);
      if (next == std::string::npos) break;
    }
  }

  void apply(const spec::Resources &r, bool updating) {
    HostFacts facts;
    facts.updating = updating;
    facts.hugetlb_on_v2 = hugetlb_on_v2_;
    if (dirs_.count("blkio")) {
      const std::string b = dirs_["blkio"];
      facts.bfq_weight = !file_exists(b + "/blkio.weight") && file_exists(b + "/blkio.bfq.weight");
    }
    if (dirs_.count("memory")) {
      const std::string m = dirs_["memory"];
      auto memsw = read_file(m + "/memory.memsw.limit_in_bytes");
      facts.has_memsw = memsw.has_value();
      if (memsw) {
        long long v = std::stoll(*memsw);
        if (v < (1LL << 62)) facts.current_memsw = v;
      }
      if (auto u = read_file(m + "/memory.usage_in_bytes")) facts.current_usage = std::stoll(*u);
    }
    if (updating && hugetlb_on_v2_ && !r.hugepageLimits.empty()) enable_unified("hugetlb");
    Plan plan = plan_resources(r, Layout::v1, facts);
    log_warnings(plan);
    apply_writes(plan.writes, [this](const std::string &ctrl, const std::string &file) {
      auto it = dirs_.find(ctrl);
      if (it == dirs_.end())
        throw Error(file + ": cgroup controller " + ctrl + " is not mounted on this host");
      return it->second;
    });
  }

  std::string path_;
  std::map<std::string, std::string> dirs_; // controller ("unified" for cgroup2) -> directory
  std::vector<std::string> created_;        // directories hull made, outermost first
  bool hugetlb_on_v2_ = false;
};

} // namespace

std::unique_ptr<Manager> make_v1(const std::string &id, const std::string &cgroups_path) {
  auto m = std::make_unique<V1Manager>();
  m->place(id, cgroups_path);
  return m;
}

std::unique_ptr<Manager> load_v1(const nlohmann::json &saved) {
  auto m = std::make_unique<V1Manager>();
  m->from_json(saved);
  return m;
}

} // namespace hull::cgroups::detail
