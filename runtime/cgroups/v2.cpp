// Pure cgroup v2 driver (unified hierarchy at /sys/fs/cgroup).
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <set>
#include <sstream>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroups/devices_bpf.hpp"
#include "cgroups/drivers.hpp"
#include "cgroups/fs.hpp"
#include "cgroups/stats.hpp"
#include "util/error.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace hull::cgroups::detail {

namespace {

constexpr int FREEZE_TIMEOUT_MS = 5000;

uint64_t oom_kills(const std::string &dir) {
  auto t = read_file(dir + "/memory.events");
  if (!t) return 0;
  return parse_flat_keyed(*t)["oom_kill"];
}

class V2OomWatch : public OomWatch {
public:
  V2OomWatch(unique_fd ino, std::string dir)
      : ino_(std::move(ino)), dir_(std::move(dir)), seen_(oom_kills(dir_)) {}
  int fd() const override { return ino_.get(); }
  int consume() override {
    char buf[4096];
    while (::read(ino_.get(), buf, sizeof buf) > 0) {
    }
    if (!file_exists(dir_ + "/memory.events")) return -1;
    const uint64_t now = oom_kills(dir_);
    const int n = now > seen_ ? static_cast<int>(now - seen_) : 0;
    seen_ = now;
    return n;
  }

private:
  unique_fd ino_;
  std::string dir_;
  uint64_t seen_;
};

class V2Manager : public Manager {
public:
  void place(const std::string &id, const std::string &cgroups_path, const std::string &mount) {
    mount_ = mount;
    auto own = parse_proc_cgroup(read_file_or_throw("/proc/self/cgroup"));
    path_ = resolve_path(id, cgroups_path, own.count("") ? own[""] : "/", Layout::v2);
    dir_ = mount_ + (path_ == "/" ? "" : path_);
  }

  void create(const spec::Resources *res, std::optional<uid_t> uid,
              std::optional<gid_t> gid) override {
    if (path_ == "/") throw Error("linux.cgroupsPath: the root cgroup cannot hold a container");
    for (const auto &d : make_dirs(dir_))
      if (std::find(created_.begin(), created_.end(), d) == created_.end()) created_.push_back(d);
    enable_controllers();
    chown_cgroup(dir_, uid, gid,
                 {"cgroup.procs", "cgroup.subtree_control", "cgroup.threads", "memory.oom.group",
                  "memory.reclaim"});
    spec::Resources r = res ? *res : spec::Resources{};
    r.devices = effective_device_rules(r.devices, linux_devices_);
    apply(r, false);
  }

  void claim() override { created_ = missing_dirs(dir_); }
  void adopt() override { created_ = {dir_}; }

  int clone_into_fd() override {
    if (!dir_fd_) {
      dir_fd_.reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!dir_fd_) throw_errno("open cgroup " + dir_);
    }
    return dir_fd_.get();
  }

  void add_pid(pid_t pid) override {
    try {
      write_cgroup_file(dir_, "cgroup.procs", std::to_string(pid));
    } catch (Error &e) {
      throw e.context("join cgroup " + dir_);
    }
  }

  void add_pid_sub(pid_t pid, const std::map<std::string, std::string> &subs) override {
    std::string target = dir_;
    for (const auto &[ctrl, sub] : subs) {
      if (!ctrl.empty())
        throw Error("--cgroup: \"" + ctrl + ":\" names a controller; cgroup v2 takes a path only");
      target = dir_ + "/" + sub;
    }
    if (!file_exists(target + "/cgroup.procs"))
      throw Error("--cgroup: adding pid " + std::to_string(pid) + " to " + target +
                  "/cgroup.procs: no such file or directory (the sub-cgroup does not exist)");
    try {
      write_cgroup_file(target, "cgroup.procs", std::to_string(pid));
    } catch (Error &e) {
      throw e.context("join cgroup " + target);
    }
  }

  void update(const spec::Resources &res) override {
    spec::Resources r = res;
    if (!r.devices.empty()) r.devices = effective_device_rules(r.devices, linux_devices_);
    apply(r, true);
  }

  std::vector<pid_t> pids() override { return read_pids_tree(dir_); }

  void freeze(bool frozen) override {
    if (!file_exists(dir_ + "/cgroup.freeze"))
      throw Error("freeze " + dir_ + ": cgroup.freeze is not supported by this kernel");
    write_cgroup_file(dir_, "cgroup.freeze", frozen ? "1" : "0");
    if (wait_until([&] { return this->frozen() == frozen; }, FREEZE_TIMEOUT_MS)) return;
    if (frozen) {
      try {
        write_cgroup_file(dir_, "cgroup.freeze", "0");
      } catch (const Error &) {
      }
      throw Error("freeze " + dir_ + ": not frozen after " +
                  std::to_string(FREEZE_TIMEOUT_MS / 1000) + "s; thawed the container again");
    }
    throw Error("thaw " + dir_ + ": still frozen after " +
                std::to_string(FREEZE_TIMEOUT_MS / 1000) + "s");
  }

  bool frozen() override {
    auto ev = read_file(dir_ + "/cgroup.events");
    if (!ev) return false;
    return parse_flat_keyed(*ev)["frozen"] == 1;
  }

  nlohmann::json stats() override {
    return stats_v2([this](const std::string &f) { return read_file(dir_ + "/" + f); },
                    host_hugepage_sizes());
  }

  void destroy() override {
    dir_fd_.reset();
    bool ours = false;
    for (const auto &c : created_)
      ours = ours || c == dir_;
    if (ours) remove_cgroup_tree(dir_);
    for (auto it = created_.rbegin(); it != created_.rend(); ++it)
      ::rmdir(it->c_str());
  }

  nlohmann::json to_json() const override {
    return {{"driver", "v2"},
            {"path", path_},
            {"mount", mount_},
            {"created", created_},
            {"devices", devices_to_json(linux_devices_)}};
  }

  void from_json(const nlohmann::json &j) {
    path_ = j.at("path").get<std::string>();
    mount_ = j.value("mount", "/sys/fs/cgroup");
    dir_ = mount_ + (path_ == "/" ? "" : path_);
    created_ = j.value("created", std::vector<std::string>{});
    linux_devices_ = devices_from_json(j.value("devices", nlohmann::json::array()));
  }

  std::string path() const override { return path_; }
  Layout layout() const override { return Layout::v2; }

  std::unique_ptr<OomWatch> watch_oom() override {
    unique_fd ino(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!ino) throw_errno("inotify for OOM notifications");
    const std::string f = dir_ + "/memory.events";
    if (::inotify_add_watch(ino.get(), f.c_str(), IN_MODIFY) < 0) throw_errno("watch " + f);
    return std::make_unique<V2OomWatch>(std::move(ino), dir_);
  }

private:
  // Every controller the parent offers is made available to the container
  // (runc does the same), from the root down to the leaf's parent.
  void enable_controllers() {
    std::vector<std::string> levels{mount_};
    for (size_t pos = mount_.size(); (pos = dir_.find('/', pos + 1)) != std::string::npos;)
      levels.push_back(dir_.substr(0, pos));
    for (const auto &d : levels) {
      std::istringstream in(read_file(d + "/cgroup.controllers").value_or(""));
      std::istringstream on(read_file(d + "/cgroup.subtree_control").value_or(""));
      std::set<std::string> enabled;
      std::string c;
      while (on >> c)
        enabled.insert(c);
      std::vector<std::string> want;
      while (in >> c)
        if (!enabled.count(c)) want.push_back(c);
      if (want.empty()) continue;
      std::string all;
      for (const auto &w : want)
        all += (all.empty() ? "+" : " +") + w;
      try {
        write_cgroup_file(d, "cgroup.subtree_control", all);
      } catch (const Error &) {
        // One at a time, keeping what works (e.g. cpuset busy, threaded mode).
        for (const auto &w : want) {
          try {
            write_cgroup_file(d, "cgroup.subtree_control", "+" + w);
          } catch (const Error &e) {
            log::debug(std::string("enable controller: ") + e.what());
          }
        }
      }
    }
  }

  void apply(const spec::Resources &r, bool updating) {
    HostFacts facts;
    facts.updating = updating;
    facts.bfq_weight = !file_exists(dir_ + "/io.weight") && file_exists(dir_ + "/io.bfq.weight");
    if (auto u = read_file(dir_ + "/memory.current")) facts.current_usage = std::stoll(*u);
    Plan plan = plan_resources(r, Layout::v2, facts);
    log_warnings(plan);
    std::vector<bpf_insn> prog;
    if (plan.devices) prog = compile_device_filter(plan.device_rules);
    apply_writes(plan.writes, [this](const std::string &, const std::string &) { return dir_; });
    if (plan.devices) {
      unique_fd fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!fd) throw_errno("open cgroup " + dir_);
      install_device_filter(fd.get(), prog);
    }
  }

  std::string mount_, path_, dir_;
  std::vector<std::string> created_;
  unique_fd dir_fd_;
};

} // namespace

std::unique_ptr<Manager> make_v2(const std::string &id, const std::string &cgroups_path,
                                 const std::string &mount_point) {
  auto m = std::make_unique<V2Manager>();
  m->place(id, cgroups_path, mount_point);
  return m;
}

std::unique_ptr<Manager> load_v2(const nlohmann::json &saved) {
  auto m = std::make_unique<V2Manager>();
  m->from_json(saved);
  return m;
}

} // namespace hull::cgroups::detail
