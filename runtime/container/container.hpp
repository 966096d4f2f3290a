// A container as the runtime knows it between commands: its state directory
// <root>/<id>/ (state.json, config.json, exec.fifo) and what can be derived
// from it. The directory is the container: `create` claims the id with
// mkdir and writes state.json (status "creating", the cgroup it is about to
// make) before it creates anything that must be undone, so a container cut
// short at any point is still listed and `delete -f` can undo it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/types.h>

#include "cgroups/manager.hpp"
#include "spec/config.hpp"
#include "spec/state.hpp"
#include "util/unique_fd.hpp"

namespace hull::container {

struct GlobalOptions {
  std::string root = "/run/hull"; // --root
  bool systemd_cgroup = false;
  bool rootless = false;
  bool debug = false;
};

// What state.json holds.
struct Record {
  std::string id;
  std::string bundle;
  std::string rootfs;               // absolute host path
  int pid = 0;                      // init pid (host pid namespace), 0 when none
  unsigned long long pid_start = 0; // /proc/<pid>/stat field 22, detects pid reuse
  std::string created;              // RFC3339 with nanoseconds
  std::string owner;                // "" for root
  std::string status;               // last stored status: creating, created, running, stopped
  std::map<std::string, std::string> annotations;
  nlohmann::json cgroup;      // cgroups::Manager::to_json()
  bool shared_pid_ns = false; // init joined an existing pid namespace
  bool hooks_ran = false;     // createRuntime/prestart may have run: poststop must undo them
};

class Container {
public:
  // Throws hull::Error("container \"<id>\" does not exist") like runc when
  // there is no state directory. A directory whose state.json is missing or
  // corrupt loads as a damaged container (see damaged()).
  static Container load(const GlobalOptions &g, const std::string &id);
  static bool exists(const GlobalOptions &g, const std::string &id);
  // A container not yet on disk (create fills in the record).
  static Container fresh(const GlobalOptions &g) {
    Container c;
    c.g_ = g;
    return c;
  }

  const std::string &id() const { return rec_.id; }
  Record &record() { return rec_; }
  const Record &record() const { return rec_; }
  std::string dir() const; // <root>/<id>
  // Why state.json could not be used ("" when it could): the record is then
  // only the id, and `delete -f` works from config.json.
  const std::string &damaged() const { return damaged_; }
  // state.json exists but cannot be parsed (`state` reports it as an error).
  bool corrupt() const { return corrupt_; }

  // Live status: "stopped" when the init is gone or its pid was reused,
  // "paused" when the cgroup is frozen, else the stored one.
  std::string status() const;
  bool init_alive() const;
  spec::State oci_state() const;
  std::unique_ptr<cgroups::Manager> cgroup() const;

  // The config.json copy taken at create (<dir>/config.json): later edits of
  // the bundle do not affect the container.
  spec::Config config() const;

  // Writes state.json atomically (write, fsync, rename).
  void save() const;
  // Exclusive flock on the state directory for mutating commands, released
  // on destruction. Re-reads the record once held (another command may have
  // changed it meanwhile; create, which writes the first one, passes false);
  // throws "does not exist" if it was deleted.
  unique_fd lock(bool reload = true);
  // True when a command holds lock() right now (a create still working).
  bool locked_by_other() const;

  // Undoes everything the container holds: its processes, cgroup, mounts
  // (without a mount namespace), hook-made resources (poststop), and the
  // state directory. Works from the record, or from config.json when the
  // record is damaged. Call with lock() held.
  void teardown();

private:
  void read_record();
  GlobalOptions g_;
  Record rec_;
  std::string damaged_;
  bool corrupt_ = false;
  bool holds_lock_ = false;
};

// Removes <dir>'s files (exec.fifo, temporaries, config.json, state.json last)
// and the directory itself; a missing directory is fine.
void remove_state_dir(const std::string &dir);
// Validates a container id (runc's rules: [\w+-\.]+, not "." or "..").
void check_id(const std::string &id);
// /proc/<pid>/stat start time, 0 when the pid does not exist.
unsigned long long pid_start_time(pid_t pid);

} // namespace hull::container
