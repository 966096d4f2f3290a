// Small file helpers for the cgroup drivers, plus pure parsers of
// /proc/self/mountinfo and /proc/self/cgroup.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hull::cgroups {

struct CgroupMount {
  std::string mount_point; // /sys/fs/cgroup/memory
  std::string root;        // root of the mount inside the hierarchy ("/" normally)
  bool v2 = false;
  std::vector<std::string> controllers; // v1: "cpu", "name=systemd", ...
};

// cgroup and cgroup2 mounts of a mountinfo text.
std::vector<CgroupMount> parse_cgroup_mounts(const std::string &mountinfo);
// /proc/<pid>/cgroup: controller -> path; the v2 entry has key "".
std::map<std::string, std::string> parse_proc_cgroup(const std::string &text);

// Reads a whole file; nullopt when it cannot be opened.
std::optional<std::string> read_file(const std::string &path);
// Reads or throws "read <path>: <strerror>".
std::string read_file_or_throw(const std::string &path);
// Writes value into dir/file; throws "<file> = <value>: <strerror>[ (hint)]".
void write_cgroup_file(const std::string &dir, const std::string &file, const std::string &value);
bool file_exists(const std::string &path);

// mkdir -p; returns the directories it created, outermost first.
// The directories along path that do not exist yet, outermost first (what
// make_dirs would create now).
std::vector<std::string> missing_dirs(const std::string &path);
std::vector<std::string> make_dirs(const std::string &path);
// Removes dir and every cgroup below it (children first), retrying on EBUSY
// for a short while. Missing dirs are fine. Throws on other errors.
void remove_cgroup_tree(const std::string &dir);
// Pids listed in dir/cgroup.procs and in every cgroup below it.
std::vector<int> read_pids_tree(const std::string &dir);

std::string trim(const std::string &s);

} // namespace hull::cgroups
