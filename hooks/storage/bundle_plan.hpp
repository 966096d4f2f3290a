// Pure parts of `bundle create`: parsing the mount flags and image names,
// resolving the image's User, and turning `hull spec` defaults plus an OCI
// image config into the bundle's config.json. No side effects: unit-tested.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hull::storage {

// "busybox" -> {"busybox", "latest"}; "host:5000/a/b:1" -> {"host:5000/a/b", "1"}.
struct ImageRef {
  std::string name, tag;
  std::string str() const { return name + ":" + tag; }
};
ImageRef parse_ref(const std::string &s); // throws hull::Error

// A volume name: [A-Za-z0-9][A-Za-z0-9_.-]* (it becomes a directory name).
void check_volume_name(const std::string &name); // throws hull::Error

enum class MountKind { Volume, Bind, Tmpfs, Overlay };
struct MountReq {
  MountKind kind;
  std::string source; // volume name or host path ("" for tmpfs)
  std::string dest;   // absolute path in the container
  bool readonly = false;
};
// --volume NAME:/path[:ro|rw], --bind HOST:/path[:ro|rw], --tmpfs /path,
// --overlay HOST:/path. Throws hull::Error naming the flag and the problem.
MountReq parse_mount(MountKind kind, const std::string &arg);

struct UserIds {
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> additional;
};
// Resolves an image config "User" ("", "1000", "1000:100", "name", "name:group")
// against the image's /etc/passwd and /etc/group text.
UserIds resolve_user(const std::string &user, const std::string &passwd, const std::string &group);

struct BundleInputs {
  nlohmann::json base;         // spec::default_spec(false)
  nlohmann::json image_config; // the OCI/docker image config blob
  UserIds user;
  std::vector<nlohmann::json> mounts; // extra config mounts, already resolved
  std::vector<std::string> args;      // replaces Cmd when not empty
  bool terminal = false;
  std::string image_ref; // recorded as an annotation
};
// The bundle's config.json. Throws hull::Error when there is nothing to run.
nlohmann::json bundle_config(const BundleInputs &in);

} // namespace hull::storage
