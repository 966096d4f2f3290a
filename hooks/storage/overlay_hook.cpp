#include "storage/overlay_hook.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "storage/store.hpp"
#include "util/error.hpp"
#include "util/safe_path.hpp"

namespace hull::storage {

using nlohmann::json;

namespace {

json read_state() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  try {
    json st = json::parse(text);
    if (!st.contains("bundle") || !st["bundle"].is_string()) throw Error("no bundle");
    return st;
  } catch (const std::exception &e) {
    throw Error(std::string("hook: container state on stdin: ") + e.what());
  }
}

std::string scratch_dir(const json &st, const std::string &n) {
  for (char c : n)
    if (c < '0' || c > '9') throw Error("hook: bad overlay index \"" + n + "\"");
  return st["bundle"].get<std::string>() + "/overlays/" + n;
}

} // namespace

void overlay_mount_hook(const std::string &host, const std::string &dest, const std::string &n) {
  json st = read_state();
  const std::string bundle = st["bundle"].get<std::string>();
  const std::string scratch = scratch_dir(st, n);
  ::mkdir((bundle + "/overlays").c_str(), 0700);
  remove_tree(scratch);
  if (::mkdir(scratch.c_str(), 0700) != 0 || ::mkdir((scratch + "/upper").c_str(), 0755) != 0 ||
      ::mkdir((scratch + "/work").c_str(), 0700) != 0)
    throw_errno("hook: mkdir " + scratch);
  json cfg = json::parse(read_file(bundle + "/config.json"));
  std::string root = cfg["root"].value("path", "rootfs");
  if (root.empty() || root[0] != '/') root = bundle + "/" + root;
  // runtime-spec: createContainer hooks run in the container's mount
  // namespace, before pivot_root (hull, runc and crun run them from the
  // container's init), so the rootfs is still at its bundle path here and
  // the mount dies with the namespace.
  unique_fd rootfd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!rootfd) throw_errno("hook: open rootfs " + root);
  unique_fd target = mkdir_in_root(rootfd.get(), dest, false);
  const std::string opts =
      "lowerdir=" + host + ",upperdir=" + scratch + "/upper,workdir=" + scratch + "/work";
  const std::string where = "/proc/self/fd/" + std::to_string(target.get());
  if (::mount("overlay", where.c_str(), "overlay", 0, opts.c_str()) != 0)
    throw_errno("hook: mount overlay of " + host + " on " + dest);
}

void overlay_cleanup_hook(const std::string &, const std::string &, const std::string &n) {
  json st = read_state();
  remove_tree(scratch_dir(st, n));
}

} // namespace hull::storage
