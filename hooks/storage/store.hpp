// The content-addressed store on disk, and the small file-system helpers
// every command needs (locks, atomic writes, staging dirs, tree removal).
//
//   <root>/layers/<hex>/        one unpacked layer (an overlay lower dir), by blob digest
//   <root>/images/<id>.json     image record: config blob + ordered layer list
//   <root>/tags.json            "name:tag" -> image id
//   <root>/volumes/<name>/data  named volumes
//   <root>/bundles/<key>.json   bundles made from images (what keeps images/volumes in use)
//   <root>/locks/               flock files (per image, per layer, per volume)
//   <root>/tmp/<kind>.<pid>.*   staging; whatever a dead pid left is removed on the next command
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "util/unique_fd.hpp"

namespace hull::storage {

// An flock held until destruction.
class Lock {
public:
  Lock() = default;
  explicit Lock(unique_fd fd) : fd_(std::move(fd)) {}

private:
  unique_fd fd_;
};

class Store {
public:
  // Creates the layout (0700) if missing, then removes stale staging.
  explicit Store(std::string root);
  const std::string &root() const { return root_; }
  std::string layer_dir(const std::string &hex) const { return root_ + "/layers/" + hex; }
  std::string image_file(const std::string &id) const { return root_ + "/images/" + id + ".json"; }
  std::string volume_dir(const std::string &name) const { return root_ + "/volumes/" + name; }
  std::string bundles_dir() const { return root_ + "/bundles"; }
  std::string tags_file() const { return root_ + "/tags.json"; }

  // flock on locks/<name>.lock; shared or exclusive; blocks.
  Lock lock(const std::string &name, bool exclusive = true) const;
  // A new empty directory tmp/<kind>.<pid>.<n>.
  std::string make_tmp(const std::string &kind) const;

  nlohmann::json tags() const;                   // {} when none
  void save_tags(const nlohmann::json &t) const; // caller holds lock("tags")

private:
  void remove_stale_tmp() const;
  std::string root_;
};

// Whole file contents; throws hull::Error naming the path.
std::string read_file(const std::string &path);
// Writes path.tmp, fsyncs, renames over path.
void write_file_atomic(const std::string &path, const std::string &content);
// rm -rf that never follows symlinks and refuses to cross into another
// mount (throws instead). Missing path is fine.
void remove_tree(const std::string &path);
// Bytes used by files under path (st_blocks), each inode counted once.
unsigned long long disk_usage(const std::string &path);
// True when pid is alive.
bool pid_alive(long pid);
// True when path is a mount point (per /proc/self/mountinfo).
bool is_mountpoint(const std::string &path);

} // namespace hull::storage
