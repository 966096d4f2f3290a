// One interface over the cgroup layouts (v1, v1 hybrid, v2). The lifecycle
// code only talks to this; drivers live beside it (v1.cpp, v2.cpp).
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "cgroups/plan.hpp"
#include "spec/config.hpp"

namespace hull::cgroups {

// Readable when the container's cgroup may have seen an OOM kill (v1: the
// memory.oom_control eventfd, v2: inotify on memory.events).
class OomWatch {
public:
  virtual ~OomWatch() = default;
  virtual int fd() const = 0;
  // Call when fd() is readable: the number of new OOM kills, -1 once the
  // cgroup is gone.
  virtual int consume() = 0;
};

class Manager {
public:
  virtual ~Manager() = default;

  // Creates the cgroup(s) (remembering which directories hull created) and
  // applies linux.resources. Throws hull::Error naming the file and value.
  virtual void create(const spec::Resources *res, std::optional<uid_t> owner_uid,
                      std::optional<gid_t> owner_gid) = 0;
  // Before create(): notes (in to_json) the directories create() will make,
  // so a record saved now lets destroy() undo a create() that was cut short.
  virtual void claim() = 0;
  // Recovery without a record: the container's own directories count as
  // made by hull, so destroy() removes them.
  virtual void adopt() = 0;
  // v2 only: an O_DIRECTORY fd of the leaf for clone3(CLONE_INTO_CGROUP); -1 otherwise.
  virtual int clone_into_fd() = 0;
  // Moves pid into the cgroup(s).
  virtual void add_pid(pid_t pid) = 0;
  // exec --cgroup: moves pid into existing sub-cgroups of the container's,
  // by controller ("" = every controller without its own entry; v2 takes
  // only ""). Paths are relative and already checked (no "..").
  virtual void add_pid_sub(pid_t pid, const std::map<std::string, std::string> &subs) = 0;
  // Rewrites resources (hull update).
  virtual void update(const spec::Resources &res) = 0;
  // All pids in the container's cgroup(s).
  virtual std::vector<pid_t> pids() = 0;
  // Freezes/thaws, waiting (bounded) for the state; never leaves it half frozen.
  virtual void freeze(bool frozen) = 0;
  virtual bool frozen() = 0;
  // runc-style stats document for `events --stats`.
  virtual nlohmann::json stats() = 0;
  // Removes what create() made (retrying briefly on EBUSY); shared cgroups stay.
  virtual void destroy() = 0;
  // What must be persisted in the state dir to rebuild this manager later.
  virtual nlohmann::json to_json() const = 0;
  // Path (relative to the hierarchy root) the container lives in.
  virtual std::string path() const = 0;

  // --- additions of the cgroups part ---
  // linux.devices of the config: a default device rule for a path they
  // list is left out, as runc (they get no rule of their own). Call before create().
  void set_linux_devices(const std::vector<spec::Device> &devs) { linux_devices_ = devs; }
  virtual Layout layout() const = 0;
  // Watches for OOM kills (events). Throws when memory is not controlled.
  virtual std::unique_ptr<OomWatch> watch_oom() = 0;

protected:
  std::vector<spec::Device> linux_devices_;
};

// Picks the driver by probing /sys/fs/cgroup (cheap: one statfs).
// cgroups_path is linux.cgroupsPath ("" = default for id).
std::unique_ptr<Manager> make_manager(const std::string &id, const std::string &cgroups_path,
                                      bool systemd);
// Rebuilds a manager from Manager::to_json() output stored in the state dir.
std::unique_ptr<Manager> load_manager(const nlohmann::json &saved);

} // namespace hull::cgroups
