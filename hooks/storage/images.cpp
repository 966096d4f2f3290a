#include "storage/images.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <set>

#include "storage/bundle_plan.hpp"
#include "storage/bundles.hpp"
#include "storage/digest.hpp"
#include "storage/unpack.hpp"
#include "util/error.hpp"

namespace hull::storage {

using nlohmann::json;

namespace {

// Blobs are looked up inside the image's root (a docker save archive may
// hold symlinks between its layer files): never resolved outside it.
unique_fd open_in_image(int root, const std::string &rel, const std::string &what) {
  struct open_how how {};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  long fd = ::syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how);
  if (fd < 0) throw_errno(what + " " + rel);
  unique_fd f(static_cast<int>(fd));
  struct stat st;
  if (::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(what + " " + rel + ": not a regular file");
  return f;
}

bool exists_in_image(int root, const std::string &rel) {
  struct stat st;
  return ::fstatat(root, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

json parse_json(const std::string &text, const std::string &what) {
  try {
    return json::parse(text);
  } catch (const json::exception &e) {
    throw Error(what + ": invalid JSON: " + e.what());
  }
}

// Reads a blob named by a descriptor, checking size and digest.
std::string read_blob(int root, const json &desc, const std::string &what) {
  if (!desc.is_object() || !desc.contains("digest") || !desc["digest"].is_string())
    throw Error(what + ": descriptor without digest");
  std::string hex = digest_hex(desc["digest"].get<std::string>(), what);
  unique_fd fd = open_in_image(root, "blobs/sha256/" + hex, what);
  std::string content;
  UnpackResult r = hash_file(fd.get(), &content);
  if (r.sha256 != hex)
    throw Error(what + ": digest mismatch: expected sha256:" + hex + ", got sha256:" + r.sha256);
  if (desc.contains("size") && desc["size"].is_number_integer() &&
      desc["size"].get<long long>() != static_cast<long long>(r.size))
    throw Error(what + ": size mismatch: expected " +
                std::to_string(desc["size"].get<long long>()) + ", got " + std::to_string(r.size));
  return content;
}

std::string go_arch() {
  struct utsname u;
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  return m;
}

bool is_index(const json &d) {
  std::string mt = d.value("mediaType", "");
  return mt == "application/vnd.oci.image.index.v1+json" ||
         mt == "application/vnd.docker.distribution.manifest.list.v2+json";
}

// Picks the manifest for "ref" (or the only/first one) from an index,
// descending into nested indexes for this machine's platform.
json pick_manifest(int root, const json &index, const std::string &want_tag, std::string &ref_name,
                   int depth = 0) {
  if (depth > 4) throw Error("index.json: indexes nested too deep");
  if (!index.contains("manifests") || !index["manifests"].is_array() || index["manifests"].empty())
    throw Error("index.json: no manifests");
  const json *chosen = nullptr;
  for (const auto &m : index["manifests"]) {
    std::string rn = m.contains("annotations")
                         ? m["annotations"].value("org.opencontainers.image.ref.name", "")
                         : "";
    if (!want_tag.empty() && (rn == want_tag || rn.ends_with(":" + want_tag))) chosen = &m;
    if (!chosen && depth > 0 && m.contains("platform") &&
        m["platform"].value("architecture", "") == go_arch() &&
        m["platform"].value("os", "linux") == "linux")
      chosen = &m;
  }
  if (!chosen) chosen = &index["manifests"][0];
  if (depth == 0 && chosen->contains("annotations")) {
    const json &a = (*chosen)["annotations"];
    ref_name =
        a.value("io.containerd.image.name", a.value("org.opencontainers.image.ref.name", ""));
  }
  if (is_index(*chosen)) {
    json sub = parse_json(read_blob(root, *chosen, "image index"), "image index");
    return pick_manifest(root, sub, "", ref_name, depth + 1);
  }
  return *chosen;
}

struct LayerSrc {
  std::string path; // inside the image root
  std::string hex;  // expected sha256 of the file
  long long size = -1;
};

// Unpacks one layer into the store unless it is there already; verifies
// the blob either way.
void ensure_layer(const Store &s, int root, const LayerSrc &l, const ImportOptions &o) {
  Lock lk = s.lock("layer-" + l.hex);
  unique_fd fd = open_in_image(root, l.path, "layer");
  const std::string what = "layer sha256:" + l.hex;
  auto check = [&](const UnpackResult &r) {
    if (r.sha256 != l.hex)
      throw Error(what + ": digest mismatch: got sha256:" + r.sha256 +
                  " (corrupt or altered blob)");
    if (l.size >= 0 && static_cast<long long>(r.size) != l.size)
      throw Error(what + ": size mismatch: expected " + std::to_string(l.size) + ", got " +
                  std::to_string(r.size));
  };
  struct stat st;
  if (::stat(s.layer_dir(l.hex).c_str(), &st) == 0) {
    check(hash_file(fd.get()));
    return;
  }
  std::string tmp = s.make_tmp("layer");
  try {
    UnpackPolicy p;
    p.allow_devices = o.allow_devices;
    UnpackResult r;
    try {
      r = unpack_tar(fd.get(), tmp, p);
    } catch (Error &e) {
      // A blob that is not what its digest says is the root cause to report.
      unique_fd again = open_in_image(root, l.path, "layer");
      check(hash_file(again.get()));
      throw e.context(what);
    }
    check(r);
    if (::chmod(tmp.c_str(), 0755) != 0) throw_errno("chmod " + tmp);
    if (::rename(tmp.c_str(), s.layer_dir(l.hex).c_str()) != 0)
      throw_errno("rename " + tmp + " to " + s.layer_dir(l.hex));
  } catch (...) {
    remove_tree(tmp);
    throw;
  }
}

std::string default_name(const std::string &path, const std::string &ref_name) {
  std::string base = path;
  while (base.size() > 1 && base.back() == '/')
    base.pop_back();
  base = base.substr(base.rfind('/') + 1);
  for (const char *ext : {".tar.gz", ".tar", ".oci"})
    if (base.size() > std::string(ext).size() && base.ends_with(ext))
      base.resize(base.size() - std::string(ext).size());
  if (ref_name.empty()) return base + ":latest";
  if (ref_name.find('/') == std::string::npos && ref_name.find(':') == std::string::npos)
    return base + ":" + ref_name; // skopeo's oci:DIR:TAG writes only the tag
  return ref_name;
}

} // namespace

std::string import_image(const Store &s, const std::string &path, const ImportOptions &o) {
  Lock store_lock = s.lock("store", false);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw_errno("image " + path);
  std::string staging;
  struct TmpGuard {
    std::string *p;
    ~TmpGuard() {
      if (!p->empty()) try {
          remove_tree(*p);
        } catch (...) {
        }
    }
  } guard{&staging};
  std::string root_path = path;
  if (!S_ISDIR(st.st_mode)) {
    // oci-archive or docker save: unpack the outer tar (plain files, no
    // whiteout mapping, same path checks) into staging under the store.
    staging = s.make_tmp("import");
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("open " + path);
    UnpackPolicy p;
    p.map_whiteouts = false;
    try {
      unpack_tar(fd.get(), staging, p);
    } catch (Error &e) {
      throw e.context(path);
    }
    root_path = staging;
  }
  unique_fd root(::open(root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) throw_errno("open " + root_path);

  std::string want_tag;
  if (!o.name.empty()) want_tag = parse_ref(o.name).tag;
  std::string ref_name;
  json config;
  std::string config_hex;
  std::vector<LayerSrc> layers;
  if (exists_in_image(root.get(), "index.json")) {
    std::string text;
    hash_file(open_in_image(root.get(), "index.json", "open").get(), &text);
    json index = parse_json(text, "index.json");
    json desc = pick_manifest(root.get(), index, want_tag, ref_name);
    json manifest = parse_json(read_blob(root.get(), desc, "manifest"), "manifest");
    if (!manifest.contains("config") || !manifest.contains("layers") ||
        !manifest["layers"].is_array())
      throw Error("manifest: missing config or layers");
    config = parse_json(read_blob(root.get(), manifest["config"], "config"), "image config");
    config_hex = digest_hex(manifest["config"].value("digest", ""), "config");
    for (const auto &l : manifest["layers"]) {
      LayerSrc src;
      src.hex = digest_hex(l.value("digest", ""), "layer");
      src.path = "blobs/sha256/" + src.hex;
      if (l.contains("size") && l["size"].is_number_integer())
        src.size = l["size"].get<long long>();
      layers.push_back(src);
    }
  } else if (exists_in_image(root.get(), "manifest.json")) {
    std::string text;
    hash_file(open_in_image(root.get(), "manifest.json", "open").get(), &text);
    json m = parse_json(text, "manifest.json");
    if (!m.is_array() || m.empty()) throw Error("manifest.json: expected a non-empty array");
    const json *item = &m[0];
    for (const auto &it : m)
      for (const auto &t : it.value("RepoTags", json::array()))
        if (t.is_string() && !o.name.empty() && t.get<std::string>() == parse_ref(o.name).str())
          item = &it;
    std::string cfg_path = item->value("Config", "");
    std::string cfg_text;
    UnpackResult r = hash_file(open_in_image(root.get(), cfg_path, "config").get(), &cfg_text);
    config_hex = r.sha256;
    // The config's name is its digest in docker save archives.
    std::string named = cfg_path.substr(cfg_path.rfind('/') + 1);
    if (named.ends_with(".json")) named.resize(named.size() - 5);
    if (named.size() == 64 && named != r.sha256)
      throw Error("config " + cfg_path + ": digest mismatch: got sha256:" + r.sha256);
    config = parse_json(cfg_text, "image config");
    json diff_ids = config.contains("rootfs") ? config["rootfs"].value("diff_ids", json::array())
                                              : json::array();
    json lpaths = item->value("Layers", json::array());
    if (diff_ids.size() != lpaths.size())
      throw Error("manifest.json: " + std::to_string(lpaths.size()) + " layers but config has " +
                  std::to_string(diff_ids.size()) + " diff_ids");
    for (size_t i = 0; i < lpaths.size(); i++) {
      LayerSrc src;
      src.path = lpaths[i].get<std::string>();
      src.hex = digest_hex(diff_ids[i].get<std::string>(), "diff_id");
      layers.push_back(src);
    }
    auto tags = item->value("RepoTags", json::array());
    if (!tags.empty() && tags[0].is_string()) ref_name = tags[0].get<std::string>();
  } else {
    throw Error("image " + path +
                ": neither an OCI image layout (no index.json) nor a docker save archive (no "
                "manifest.json)");
  }
  if (layers.empty()) throw Error("image " + path + ": no layers");
  for (const auto &l : layers)
    ensure_layer(s, root.get(), l, o);

  ImageRef ref = parse_ref(o.name.empty() ? default_name(path, ref_name) : o.name);
  json rec = {{"id", config_hex}, {"config", config}, {"layers", json::array()}};
  for (const auto &l : layers)
    rec["layers"].push_back(l.hex);
  {
    Lock il = s.lock("image-" + config_hex);
    write_file_atomic(s.image_file(config_hex), rec.dump());
  }
  Lock tl = s.lock("tags");
  json tags = s.tags();
  tags[ref.str()] = config_hex;
  s.save_tags(tags);
  return ref.str();
}

std::string resolve_image(const Store &s, const std::string &ref) {
  json tags = s.tags();
  std::string key = parse_ref(ref).str();
  if (tags.contains(key)) return tags[key].get<std::string>();
  if (ref.size() == 64) {
    struct stat st;
    if (::stat(s.image_file(ref).c_str(), &st) == 0) return ref;
  }
  throw Error("image " + ref + " does not exist");
}

json load_image(const Store &s, const std::string &id) {
  return parse_json(read_file(s.image_file(id)), s.image_file(id));
}

namespace {

std::vector<std::string> list_dir(const std::string &dir) {
  std::vector<std::string> out;
  DIR *d = ::opendir(dir.c_str());
  if (!d) throw_errno("opendir " + dir);
  while (dirent *e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> image_ids(const Store &s) {
  std::vector<std::string> ids;
  for (auto &n : list_dir(s.root() + "/images"))
    if (n.size() == 69 && n.ends_with(".json")) ids.push_back(n.substr(0, 64));
  return ids;
}

std::string human(unsigned long long b) {
  char buf[32];
  if (b >= 1ull << 20)
    std::snprintf(buf, sizeof buf, "%.1fMB", double(b) / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1fkB", double(b) / 1024);
  return buf;
}

} // namespace

void list_images(const Store &s, bool quiet) {
  json tags = s.tags();
  if (!quiet) std::printf("%-40s %-12s %-7s %s\n", "REFERENCE", "IMAGE ID", "LAYERS", "SIZE");
  for (const auto &id : image_ids(s)) {
    json rec = load_image(s, id);
    unsigned long long size = 0;
    for (const auto &l : rec["layers"])
      size += disk_usage(s.layer_dir(l.get<std::string>()));
    std::vector<std::string> refs;
    for (auto it = tags.begin(); it != tags.end(); ++it)
      if (it.value() == id) refs.push_back(it.key());
    if (refs.empty()) refs.push_back("<none>");
    for (const auto &r : refs) {
      if (quiet)
        std::printf("%s\n", r.c_str());
      else
        std::printf("%-40s %-12s %-7zu %s\n", r.c_str(), id.substr(0, 12).c_str(),
                    rec["layers"].size(), human(size).c_str());
    }
  }
}

namespace {

void gc_layers(const Store &s) {
  std::set<std::string> used;
  for (const auto &id : image_ids(s))
    for (const auto &l : load_image(s, id)["layers"])
      used.insert(l.get<std::string>());
  for (const auto &n : list_dir(s.root() + "/layers"))
    if (!used.count(n)) {
      Lock lk = s.lock("layer-" + n);
      remove_tree(s.layer_dir(n));
      ::unlink((s.root() + "/locks/layer-" + n + ".lock").c_str());
    }
}

} // namespace

void remove_image(const Store &s, const std::string &ref) {
  Lock store_lock = s.lock("store", true);
  std::string id = resolve_image(s, ref);
  Lock il = s.lock("image-" + id);
  for (const auto &b : bundles_using(s, "image", id))
    throw Error("image " + ref + " is in use by bundle " + b +
                " (hull-storage bundle rm it first)");
  Lock tl = s.lock("tags");
  json tags = s.tags();
  std::string key =
      ref.size() == 64 && !tags.contains(parse_ref(ref).str()) ? "" : parse_ref(ref).str();
  bool other = false;
  for (auto it = tags.begin(); it != tags.end();) {
    if (it.value() == id && (key.empty() || it.key() == key))
      it = tags.erase(it);
    else {
      if (it.value() == id) other = true;
      ++it;
    }
  }
  s.save_tags(tags);
  if (!other) {
    if (::unlink(s.image_file(id).c_str()) != 0) throw_errno("remove " + s.image_file(id));
    gc_layers(s);
  }
}

void prune_images(const Store &s) {
  Lock store_lock = s.lock("store", true);
  json tags = s.tags();
  std::set<std::string> tagged;
  for (auto it = tags.begin(); it != tags.end(); ++it)
    tagged.insert(it.value().get<std::string>());
  for (const auto &id : image_ids(s))
    if (!tagged.count(id) && bundles_using(s, "image", id).empty()) {
      ::unlink(s.image_file(id).c_str());
      std::printf("deleted image %s\n", id.c_str());
    }
  gc_layers(s);
}

} // namespace hull::storage
