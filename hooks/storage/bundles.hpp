// Bundles made from images: an overlay rootfs (the image's shared layers
// as lower dirs, a per-bundle upper dir) and a config.json.
//
// The overlay is mounted by `bundle create` on the host, not by a hook at
// container start: hull (like runc) bind-mounts the rootfs and mounts /proc,
// /dev & co. onto it before createContainer hooks run, so a hook-made root
// overlay would hide them, and a createRuntime hook would mount on the host
// anyway. A bundle therefore owns its mount for its whole life; the
// container owns none, so a crashed container leaves nothing to undo, and
// the bundle works with any runtime (hull, runc, crun). A crashed
// `bundle create` is undone by the next hull-storage command (its record
// says "creating" and its pid is dead); `bundle rm` unmounts and removes.
#pragma once

#include <string>
#include <vector>

#include "storage/bundle_plan.hpp"
#include "storage/store.hpp"

namespace hull::storage {

struct BundleOptions {
  std::string image;
  std::string dir;
  std::vector<MountReq> mounts;
  std::vector<std::string> args;
  bool terminal = false;
};

void create_bundle(const Store &s, const BundleOptions &o);
void remove_bundle(const Store &s, const std::string &dir);
void list_bundles(const Store &s);
// Dirs of live bundles whose record lists `value` under `field`
// ("image" -> id, "volumes" -> name).
std::vector<std::string> bundles_using(const Store &s, const std::string &field,
                                       const std::string &value);
// Undoes what a killed `bundle create` left (called by every command).
void clean_stale_bundles(const Store &s);

// Volumes (<store>/volumes/<name>/data), created on first use.
std::string ensure_volume(const Store &s, const std::string &name, bool must_be_new);
void list_volumes(const Store &s);
void remove_volume(const Store &s, const std::string &name);

} // namespace hull::storage
