// Internal to runtime/cgroups: the driver factories manager.cpp picks from,
// and helpers both drivers share.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cgroups/manager.hpp"

namespace hull::cgroups::detail {

std::unique_ptr<Manager> make_v1(const std::string &id, const std::string &cgroups_path);
std::unique_ptr<Manager> load_v1(const nlohmann::json &saved);
std::unique_ptr<Manager> make_v2(const std::string &id, const std::string &cgroups_path,
                                 const std::string &mount_point);
std::unique_ptr<Manager> load_v2(const nlohmann::json &saved);

// Polls `done` every few ms until it returns true or timeout_ms passes.
bool wait_until(const std::function<bool()> &done, int timeout_ms);

// JSON (de)serialisation of extra device allow rules stored with the manager.
nlohmann::json devices_to_json(const std::vector<spec::Device> &d);
std::vector<spec::Device> devices_from_json(const nlohmann::json &j);

// chown of a cgroup directory and the files a delegated owner writes.
void chown_cgroup(const std::string &dir, std::optional<uid_t> uid, std::optional<gid_t> gid,
                  const std::vector<std::string> &files);

// Logs the plan's warnings once each.
void log_warnings(const Plan &p);

// Runs the writes in order, dir_for(controller) giving the directory
// (throws when the controller is not available). Before writing anything,
// checks that every file exists, so a setting the host lacks is reported
// without half-applying the others.
void apply_writes(const std::vector<Write> &writes,
                  const std::function<std::string(const std::string &controller,
                                                  const std::string &file)> &dir_for);

} // namespace hull::cgroups::detail
