#include "storage/bundles.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "spec/spec.hpp"
#include "storage/digest.hpp"
#include "storage/images.hpp"
#include "util/error.hpp"
#include "util/safe_path.hpp"

namespace hull::storage {

using nlohmann::json;

namespace {

std::string record_path(const Store &s, const std::string &dir) {
  return s.bundles_dir() + "/" + sha256_hex(dir).substr(0, 32) + ".json";
}

// Absolute, lexically clean bundle path (the parent must exist).
std::string abs_dir(const std::string &dir) {
  std::string d = dir;
  while (d.size() > 1 && d.back() == '/')
    d.pop_back();
  size_t slash = d.rfind('/');
  std::string parent = slash == std::string::npos ? "." : (slash == 0 ? "/" : d.substr(0, slash));
  std::string base = slash == std::string::npos ? d : d.substr(slash + 1);
  if (base.empty() || base == "." || base == "..")
    throw Error("bundle directory \"" + dir + "\": bad name");
  char *rp = ::realpath(parent.c_str(), nullptr);
  if (!rp) throw_errno("bundle directory " + dir + ": parent " + parent);
  std::string out = rp;
  std::free(rp);
  return (out == "/" ? "" : out) + "/" + base;
}

void unmount_if_mounted(const std::string &path) {
  if (!is_mountpoint(path)) return;
  if (::umount2(path.c_str(), 0) != 0 && ::umount2(path.c_str(), MNT_DETACH) != 0)
    throw_errno("unmount " + path);
}

std::string read_text_in(int root_fd, const char *path) {
  try {
    unique_fd fd = open_in_root(root_fd, path, O_RDONLY);
    std::string out;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0)
      out.append(buf, static_cast<size_t>(n));
    return out;
  } catch (const Error &) {
    return "";
  }
}

std::string self_exe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0) throw_errno("readlink /proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

json resolved_mount(const Store &s, const MountReq &m) {
  json opts = json::array({"rbind", m.readonly ? "ro" : "rw"});
  switch (m.kind) {
  case MountKind::Volume:
    return {{"destination", m.dest},
            {"type", "bind"},
            {"source", ensure_volume(s, m.source, false)},
            {"options", opts}};
  case MountKind::Bind: {
    struct stat st;
    if (::stat(m.source.c_str(), &st) != 0) throw_errno("--bind " + m.source);
    return {{"destination", m.dest}, {"type", "bind"}, {"source", m.source}, {"options", opts}};
  }
  case MountKind::Tmpfs:
    return {{"destination", m.dest},
            {"type", "tmpfs"},
            {"source", "tmpfs"},
            {"options", {"nosuid", "nodev", "mode=1777"}}};
  case MountKind::Overlay:
    break;
  }
  return nullptr;
}

void remove_stale(const Store &s, const std::string &rec_path, const json &rec) {
  for (const char *k : {"staging", "dir"}) {
    std::string d = rec.value(k, "");
    if (d.empty()) continue;
    unmount_if_mounted(d + "/rootfs");
    remove_tree(d);
  }
  ::unlink(rec_path.c_str());
  (void)s;
}

std::vector<std::pair<std::string, json>> records(const Store &s) {
  std::vector<std::pair<std::string, json>> out;
  DIR *d = ::opendir(s.bundles_dir().c_str());
  if (!d) throw_errno("opendir " + s.bundles_dir());
  std::vector<std::string> names;
  while (dirent *e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.ends_with(".json")) names.push_back(n);
  }
  ::closedir(d);
  for (const auto &n : names) {
    std::string p = s.bundles_dir() + "/" + n;
    try {
      out.emplace_back(p, json::parse(read_file(p)));
    } catch (...) {
    }
  }
  return out;
}

} // namespace

std::vector<std::string> bundles_using(const Store &s, const std::string &field,
                                       const std::string &value) {
  std::vector<std::string> out;
  for (const auto &[p, rec] : records(s)) {
    bool live = rec.value("state", "") == "ready" || pid_alive(rec.value("pid", 0L));
    if (!live) continue;
    const json &v = rec.contains(field) ? rec[field] : json();
    bool hit = v.is_string() ? v == value : false;
    if (v.is_array())
      for (const auto &x : v)
        hit = hit || x == value;
    if (hit) out.push_back(rec.value("dir", "?"));
  }
  return out;
}

void clean_stale_bundles(const Store &s) {
  Lock lk = s.lock("bundles");
  for (const auto &[p, rec] : records(s))
    if (rec.value("state", "") == "creating" && !pid_alive(rec.value("pid", 0L)))
      remove_stale(s, p, rec);
}

void create_bundle(const Store &s, const BundleOptions &o) {
  Lock store_lock = s.lock("store", false);
  const std::string dir = abs_dir(o.dir);
  struct stat st;
  if (::lstat(dir.c_str(), &st) == 0) throw Error("bundle directory " + dir + " already exists");
  const std::string id = resolve_image(s, o.image);
  Lock il = s.lock("image-" + id);
  json image = load_image(s, id);
  std::vector<std::string> lowers;
  for (const auto &l : image["layers"]) {
    std::string d = s.layer_dir(l.get<std::string>());
    if (::stat(d.c_str(), &st) != 0) throw Error("image " + o.image + ": layer " + d + " missing");
    lowers.insert(lowers.begin(), d); // overlay: top layer first
  }
  const std::string staging =
      dir.substr(0, dir.rfind('/') + 1) + "." + dir.substr(dir.rfind('/') + 1) + ".hull-tmp";
  const std::string rec_path = record_path(s, dir);
  json rec = {{"dir", dir},       {"staging", staging},       {"image", id},
              {"ref", o.image},   {"volumes", json::array()}, {"state", "creating"},
              {"pid", ::getpid()}};
  for (const auto &m : o.mounts)
    if (m.kind == MountKind::Volume) rec["volumes"].push_back(m.source);
  {
    Lock bl = s.lock("bundles");
    if (::stat(rec_path.c_str(), &st) == 0)
      throw Error("bundle directory " + dir +
                  " is already a bundle record (hull-storage bundle rm it)");
    write_file_atomic(rec_path, rec.dump());
  }
  try {
    if (::mkdir(staging.c_str(), 0711) != 0) throw_errno("mkdir " + staging);
    for (const char *sub : {"/rootfs", "/upper", "/work"})
      if (::mkdir((staging + sub).c_str(), 0755) != 0) throw_errno("mkdir " + staging + sub);
    std::string opts = "lowerdir=";
    for (size_t i = 0; i < lowers.size(); i++)
      opts += (i ? ":" : "") + lowers[i];
    opts += ",upperdir=" + staging + "/upper,workdir=" + staging + "/work";
    if (opts.size() >= 4000)
      throw Error("image " + o.image + ": too many layers for one overlay mount (" +
                  std::to_string(lowers.size()) + ")");
    if (::mount("overlay", (staging + "/rootfs").c_str(), "overlay", 0, opts.c_str()) != 0)
      throw_errno("mount overlay on " + staging + "/rootfs");

    unique_fd rootfd(::open((staging + "/rootfs").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!rootfd) throw_errno("open " + staging + "/rootfs");
    std::string user_spec;
    if (image.contains("config") && image["config"].contains("config") &&
        image["config"]["config"].is_object())
      user_spec = image["config"]["config"].value("User", "");
    BundleInputs in;
    in.base = spec::default_spec(false);
    in.image_config = image["config"];
    in.user = resolve_user(user_spec, read_text_in(rootfd.get(), "/etc/passwd"),
                           read_text_in(rootfd.get(), "/etc/group"));
    in.args = o.args;
    in.terminal = o.terminal;
    in.image_ref = parse_ref(o.image).str();
    int n = 0;
    json hooks = {{"createContainer", json::array()}, {"poststop", json::array()}};
    for (const auto &m : o.mounts) {
      if (m.kind != MountKind::Overlay) {
        in.mounts.push_back(resolved_mount(s, m));
        continue;
      }
      if (::stat(m.source.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw Error("--overlay " + m.source + ": not a directory");
      json args = {"hull-storage", "--storage", s.root(),           "hook", "",
                   m.source,       m.dest,      std::to_string(n++)};
      args[4] = "overlay-mount";
      hooks["createContainer"].push_back({{"path", self_exe()}, {"args", args}});
      args[4] = "overlay-cleanup";
      hooks["poststop"].push_back({{"path", self_exe()}, {"args", args}});
    }
    json cfg = bundle_config(in);
    // Engines create the image's WorkingDir when the image lacks it.
    mkdir_in_root(rootfd.get(), cfg["process"]["cwd"].get<std::string>(), false);
    if (n) cfg["hooks"] = hooks;
    write_file_atomic(staging + "/config.json", cfg.dump(2) + "\n");
    // The commit point: the bundle appears whole, mount included.
    if (::rename(staging.c_str(), dir.c_str()) != 0)
      throw_errno("rename " + staging + " to " + dir);
    rec.erase("staging");
    rec["state"] = "ready";
    Lock bl = s.lock("bundles");
    write_file_atomic(rec_path, rec.dump());
  } catch (...) {
    try {
      unmount_if_mounted(staging + "/rootfs");
      remove_tree(staging);
      ::unlink(rec_path.c_str());
    } catch (...) {
    }
    throw;
  }
}

void remove_bundle(const Store &s, const std::string &dir_arg) {
  const std::string dir = abs_dir(dir_arg);
  const std::string rec_path = record_path(s, dir);
  struct stat st;
  if (::stat(rec_path.c_str(), &st) != 0)
    throw Error("bundle " + dir + " does not exist (not made by hull-storage bundle create)");
  Lock bl = s.lock("bundles");
  unmount_if_mounted(dir + "/rootfs");
  remove_tree(dir);
  if (::unlink(rec_path.c_str()) != 0) throw_errno("remove " + rec_path);
}

void list_bundles(const Store &s) {
  std::printf("%-50s %-30s %s\n", "BUNDLE", "IMAGE", "VOLUMES");
  for (const auto &[p, rec] : records(s)) {
    std::string vols;
    for (const auto &v : rec.value("volumes", json::array())) {
      if (!vols.empty()) vols += ",";
      vols += v.get<std::string>();
    }
    std::printf("%-50s %-30s %s\n", rec.value("dir", "?").c_str(), rec.value("ref", "?").c_str(),
                vols.c_str());
  }
}

std::string ensure_volume(const Store &s, const std::string &name, bool must_be_new) {
  check_volume_name(name);
  Lock vl = s.lock("volume-" + name);
  const std::string dir = s.volume_dir(name);
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (must_be_new) throw Error("volume " + name + " already exists");
    return dir + "/data";
  }
  std::string tmp = s.make_tmp("volume");
  if (::mkdir((tmp + "/data").c_str(), 0755) != 0 || ::chmod(tmp.c_str(), 0711) != 0 ||
      ::rename(tmp.c_str(), dir.c_str()) != 0) {
    int e = errno;
    remove_tree(tmp);
    throw_err("create volume " + name, e);
  }
  return dir + "/data";
}

void list_volumes(const Store &s) {
  std::printf("%-30s %-10s %s\n", "VOLUME", "SIZE", "USED BY");
  DIR *d = ::opendir((s.root() + "/volumes").c_str());
  if (!d) throw_errno("opendir " + s.root() + "/volumes");
  std::vector<std::string> names;
  while (dirent *e = ::readdir(d))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto &n : names) {
    std::string users;
    for (const auto &b : bundles_using(s, "volumes", n)) {
      if (!users.empty()) users += ",";
      users += b;
    }
    std::printf("%-30s %-10llu %s\n", n.c_str(), disk_usage(s.volume_dir(n) + "/data") / 1024,
                users.c_str());
  }
}

void remove_volume(const Store &s, const std::string &name) {
  check_volume_name(name);
  Lock vl = s.lock("volume-" + name);
  struct stat st;
  if (::stat(s.volume_dir(name).c_str(), &st) != 0)
    throw Error("volume " + name + " does not exist");
  auto users = bundles_using(s, "volumes", name);
  if (!users.empty())
    throw Error("volume " + name + " is in use by bundle " + users[0] +
                " (hull-storage bundle rm it first)");
  remove_tree(s.volume_dir(name));
}

} // namespace hull::storage
