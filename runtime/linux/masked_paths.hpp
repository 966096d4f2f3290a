// linux.maskedPaths and linux.readonlyPaths, applied after pivot_root inside
// the container's root with fd-based mounts (no path the kernel resolves).
#pragma once

#include <string>

namespace hull::sys {

// A directory gets a read-only tmpfs, anything else a bind of /dev/null,
// after checking /dev/null really is the 1:3 character device and not a
// symlink (CVE-2025-31133). Missing paths are skipped.
void mask_path(const std::string &path);

// Recursive bind onto itself, then ro,nosuid,nodev,noexec on the top mount
// (mount_setattr only adds flags, so locked ones stay). Missing: skipped.
void readonly_path(const std::string &path);

// MS_BIND|MS_REMOUNT|MS_RDONLY on "/", keeping the flags it already has.
void remount_root_readonly();

} // namespace hull::sys
