#include "cgroups/manager.hpp"

#include <chrono>
#include <linux/magic.h>
#include <set>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <thread>
#include <unistd.h>

#include "cgroups/drivers.hpp"
#include "cgroups/fs.hpp"
#include "util/error.hpp"
#include "util/log.hpp"

namespace hull::cgroups {

namespace detail {

bool wait_until(const std::function<bool()> &done, int timeout_ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto step = std::chrono::microseconds(500);
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(step);
    if (step < std::chrono::milliseconds(20)) step *= 2;
  }
}

nlohmann::json devices_to_json(const std::vector<spec::Device> &d) {
  auto out = nlohmann::json::array();
  for (const auto &x : d)
    out.push_back({x.type, x.major, x.minor});
  return out;
}

std::vector<spec::Device> devices_from_json(const nlohmann::json &j) {
  std::vector<spec::Device> out;
  if (!j.is_array()) return out;
  for (const auto &e : j) {
    spec::Device d;
    d.type = e.at(0).get<std::string>();
    d.major = e.at(1).get<int64_t>();
    d.minor = e.at(2).get<int64_t>();
    out.push_back(d);
  }
  return out;
}

void chown_cgroup(const std::string &dir, std::optional<uid_t> uid, std::optional<gid_t> gid,
                  const std::vector<std::string> &files) {
  if (!uid && !gid) return;
  const uid_t u = uid ? *uid : static_cast<uid_t>(-1);
  const gid_t g = gid ? *gid : static_cast<gid_t>(-1);
  if (::chown(dir.c_str(), u, g) != 0) throw_errno("chown cgroup " + dir);
  for (const auto &f : files) {
    const std::string p = dir + "/" + f;
    if (::chown(p.c_str(), u, g) != 0 && errno != ENOENT) throw_errno("chown " + p);
  }
}

void log_warnings(const Plan &p) {
  for (const auto &w : p.warnings)
    log::warn(w);
}

void apply_writes(
    const std::vector<Write> &writes,
    const std::function<std::string(const std::string &, const std::string &)> &dir_for) {
  std::vector<std::string> dirs;
  dirs.reserve(writes.size());
  for (const auto &w : writes) {
    std::string dir = dir_for(w.controller, w.file);
    if (!w.best_effort && !file_exists(dir + "/" + w.file))
      throw Error((w.field.empty() ? "" : w.field + ": ") + w.file + " = " + w.value +
                  ": not supported by this host (no such file in " + dir + ")");
    dirs.push_back(std::move(dir));
  }
  for (size_t i = 0; i < writes.size(); ++i) {
    const auto &w = writes[i];
    try {
      try {
        write_cgroup_file(dirs[i], w.file, w.value);
      } catch (Error &e) {
        if (!w.retry_after_next || e.err() != EINVAL || i + 1 == writes.size()) throw;
        write_cgroup_file(dirs[i + 1], writes[i + 1].file, writes[i + 1].value);
        write_cgroup_file(dirs[i], w.file, w.value);
        ++i;
      }
    } catch (Error &e) {
      if (!w.field.empty()) throw e.context(w.field);
      if (!w.best_effort) throw;
      log::warn(std::string(e.what()) + " (deprecated setting, ignored)");
    }
  }
}

} // namespace detail

std::unique_ptr<Manager> make_manager(const std::string &id, const std::string &cgroups_path,
                                      bool systemd) {
  std::string p = cgroups_path;
  if (systemd) {
    // No systemd D-Bus client yet: place the container where systemd would.
    p = systemd_cgroup_path(id, cgroups_path);
    log::debug("systemd cgroup driver: using cgroupfs path " + p);
  }
  struct statfs fs {};
  if (::statfs("/sys/fs/cgroup", &fs) != 0) throw_errno("statfs /sys/fs/cgroup");
  if (fs.f_type == CGROUP2_SUPER_MAGIC) return detail::make_v2(id, p, "/sys/fs/cgroup");
  return detail::make_v1(id, p);
}

std::unique_ptr<Manager> load_manager(const nlohmann::json &saved) {
  const std::string driver = saved.value("driver", "");
  if (driver == "v1") return detail::load_v1(saved);
  if (driver == "v2") return detail::load_v2(saved);
  throw Error("state: unknown cgroup driver \"" + driver + "\"");
}

} // namespace hull::cgroups
