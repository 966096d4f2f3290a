// Deciding what a config.json mount means for the kernel: the pure
// translation of a mount's "options" list into mount(2) flags, propagation
// changes, mount_setattr(2) recursive attributes and the data string.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hull::sys {

struct MountOptions {
  unsigned long flags = 0; // MS_* to pass to mount(2) (MS_BIND, MS_REC, MS_RDONLY...)
  unsigned long clear = 0; // MS_* the options explicitly turned off (rw, suid, ...)
  std::vector<unsigned long> propagation; // MS_SHARED/MS_PRIVATE/... (| MS_REC), in order
  uint64_t attr_set = 0;                  // MOUNT_ATTR_* for the recursive mount_setattr
  uint64_t attr_clr = 0;
  bool idmap = false;     // idmap / ridmap: MOUNT_ATTR_IDMAP with the mount's mappings
  bool idmap_rec = false; // ridmap: applied to the whole tree
  bool tmpcopyup = false; // copy the old contents into the new tmpfs
  std::string data;       // everything else, comma separated (mode=755,size=65536k)

  bool bind() const;
  bool recursive_attrs() const { return attr_set != 0 || attr_clr != 0; }
  // The flags a bind mount needs in its MS_REMOUNT|MS_BIND step (0: no remount).
  unsigned long bind_remount_flags() const;
};

// Later options override earlier ones ("ro,rw" is rw). Never throws: unknown
// words end up in `data`, where the filesystem judges them.
MountOptions parse_mount_options(const std::vector<std::string> &options);

// The MS_* propagation flags for one linux.rootfsPropagation / mount option
// word ("rslave" -> MS_SLAVE|MS_REC); 0 when the word is not one of them.
unsigned long propagation_flag(const std::string &word);

// Flags a bind remount keeps from the mount as it is (statvfs f_flag ST_* ->
// MS_*): ro/nosuid/nodev/noexec unless the options cleared them, the atime
// mode unless the options set one. With all_locked, also the cleared ones:
// in a user namespace the kernel refuses (EPERM) to drop flags locked on the
// source; the source's atime mode then replaces the one asked for.
unsigned long locked_flags_to_keep(unsigned long st_flags, const MountOptions &o,
                                   bool all_locked = false);

} // namespace hull::sys
