// Pure decisions about one archive entry of an image layer: is its path
// safe, and what does it become in an overlay layer directory (a file, a
// whiteout device, an opaque-directory mark). No side effects: unit-tested.
#pragma once

#include <set>
#include <string>
#include <utility>

namespace hull::storage {

enum class EntryKind { File, Dir, Symlink, Hardlink, Fifo, CharDev, BlockDev, Other };

struct EntryIn {
  std::string path; // as written in the archive
  EntryKind kind = EntryKind::File;
  std::string link; // symlink or hard-link target
};

enum class Action {
  Create,   // make `path` as the entry says
  Whiteout, // "a/.wh.b": an overlay whiteout (char 0/0) at "a/b"
  Opaque,   // "a/.wh..wh..opq": directory "a" gets trusted.overlay.opaque=y
  Skip,     // the layer root itself, AUFS-internal ".wh..wh." files
};

struct EntryPlan {
  Action action = Action::Create;
  std::string path; // cleaned, relative ("a/b"; "" is the layer root)
  std::string link; // cleaned hard-link target (relative), or the symlink target as given
};

struct UnpackPolicy {
  bool map_whiteouts = true;  // false for the outer archive of an image (plain files)
  bool allow_devices = false; // device nodes are refused unless asked for
};

// "./a//b/" -> "a/b". Throws hull::Error for absolute paths and any "..".
std::string clean_entry_path(const std::string &raw);

// Decides what to do with one entry; throws hull::Error naming the entry and
// the reason (escaping path or link, device node, bad whiteout).
EntryPlan plan_entry(const EntryIn &e, const UnpackPolicy &p);

// True when a relative symlink target, resolved lexically from the
// directory holding the link, climbs above the layer root.
bool symlink_escapes(const std::string &link_path, const std::string &target);

// Remembers what a layer has already made, so a second entry for the same
// path (or a file and its own whiteout) is refused.
class DuplicateCheck {
public:
  // Throws hull::Error on a duplicate.
  void add(const EntryPlan &p);

private:
  std::set<std::pair<bool, std::string>> seen_; // (is opaque mark, path)
};

} // namespace hull::storage
