#include "storage/entry_plan.hpp"

#include <vector>

#include "util/error.hpp"

namespace hull::storage {

namespace {

std::vector<std::string> split(const std::string &p) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string::npos) j = p.size();
    out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

[[noreturn]] void refuse(const std::string &entry, const std::string &why) {
  throw Error("archive entry \"" + entry + "\": " + why);
}

const std::string kWh = ".wh.";
const std::string kOpaque = ".wh..wh..opq";

} // namespace

std::string clean_entry_path(const std::string &raw) {
  if (raw.empty()) refuse(raw, "empty path");
  if (raw[0] == '/') refuse(raw, "absolute path");
  if (raw.find('\0') != std::string::npos) refuse(raw, "NUL in path");
  std::string out;
  for (const auto &c : split(raw)) {
    if (c.empty() || c == ".") continue;
    if (c == "..") refuse(raw, "path contains \"..\"");
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

bool symlink_escapes(const std::string &link_path, const std::string &target) {
  if (target.empty() || target[0] == '/')
    return false; // absolute: resolved in the container's root
  std::vector<std::string> comps = split(link_path);
  comps.pop_back(); // the link's own name
  std::vector<std::string> dir;
  for (auto &c : comps)
    if (!c.empty() && c != ".") dir.push_back(c);
  for (const auto &c : split(target)) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (dir.empty()) return true;
      dir.pop_back();
    } else {
      dir.push_back(c);
    }
  }
  return false;
}

EntryPlan plan_entry(const EntryIn &e, const UnpackPolicy &p) {
  EntryPlan out;
  out.path = clean_entry_path(e.path);
  if (out.path.empty()) {
    if (e.kind != EntryKind::Dir) refuse(e.path, "the layer root must be a directory");
    out.action = Action::Skip;
    return out;
  }
  const size_t slash = out.path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : out.path.substr(0, slash);
  const std::string base = slash == std::string::npos ? out.path : out.path.substr(slash + 1);
  if (p.map_whiteouts) {
    for (const auto &c : split(dir))
      if (c.rfind(kWh, 0) == 0) refuse(e.path, "a whiteout cannot be a directory");
    if (base == kOpaque) {
      if (e.kind != EntryKind::File) refuse(e.path, "opaque marker must be a regular file");
      out.action = Action::Opaque;
      out.path = dir;
      return out;
    }
    if (base.rfind(kWh + kWh, 0) == 0) { // other AUFS metadata (.wh..wh.plnk & co.)
      out.action = Action::Skip;
      return out;
    }
    if (base.rfind(kWh, 0) == 0) {
      std::string name = base.substr(kWh.size());
      if (name.empty() || name == "." || name == "..") refuse(e.path, "whiteout names no file");
      if (e.kind != EntryKind::File) refuse(e.path, "whiteout must be a regular file");
      out.action = Action::Whiteout;
      out.path = dir.empty() ? name : dir + "/" + name;
      return out;
    }
  }
  switch (e.kind) {
  case EntryKind::File:
  case EntryKind::Dir:
  case EntryKind::Fifo:
    break;
  case EntryKind::Symlink:
    if (e.link.empty()) refuse(e.path, "symlink with an empty target");
    if (symlink_escapes(out.path, e.link))
      refuse(e.path, "symlink target \"" + e.link + "\" leaves the image root");
    out.link = e.link;
    break;
  case EntryKind::Hardlink:
    if (e.link.empty()) refuse(e.path, "hard link with an empty target");
    if (e.link[0] == '/') refuse(e.path, "hard link to absolute path \"" + e.link + "\"");
    try {
      out.link = clean_entry_path(e.link);
    } catch (const Error &) {
      refuse(e.path, "hard link target \"" + e.link + "\" leaves the layer");
    }
    if (out.link.empty() || out.link == out.path) refuse(e.path, "hard link to itself or the root");
    break;
  case EntryKind::CharDev:
  case EntryKind::BlockDev:
    if (!p.allow_devices) refuse(e.path, "device node not allowed (use --allow-devices)");
    break;
  case EntryKind::Other:
    refuse(e.path, "unsupported entry type");
  }
  return out;
}

void DuplicateCheck::add(const EntryPlan &p) {
  if (p.action == Action::Skip) return;
  auto key = std::make_pair(p.action == Action::Opaque, p.path);
  if (!seen_.insert(key).second) throw Error("archive entry \"" + p.path + "\": duplicate entry");
}

} // namespace hull::storage
