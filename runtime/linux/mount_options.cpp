#include "linux/mount_options.hpp"

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <map>

namespace hull::sys {

namespace {

struct Flag {
  bool clear; // the option turns the flag off
  unsigned long flag;
};

const std::map<std::string, Flag> &mount_flags() {
  static const std::map<std::string, Flag> m = {
      {"async", {true, MS_SYNCHRONOUS}},
      {"atime", {true, MS_NOATIME}},
      {"bind", {false, MS_BIND}},
      {"defaults", {false, 0}},
      {"dev", {true, MS_NODEV}},
      {"diratime", {true, MS_NODIRATIME}},
      {"dirsync", {false, MS_DIRSYNC}},
      {"exec", {true, MS_NOEXEC}},
      {"iversion", {false, MS_I_VERSION}},
      {"noiversion", {true, MS_I_VERSION}},
      {"lazytime", {false, MS_LAZYTIME}},
      {"nolazytime", {true, MS_LAZYTIME}},
      {"loud", {true, MS_SILENT}},
      {"silent", {false, MS_SILENT}},
      {"mand", {false, MS_MANDLOCK}},
      {"nomand", {true, MS_MANDLOCK}},
      {"noatime", {false, MS_NOATIME}},
      {"nodev", {false, MS_NODEV}},
      {"nodiratime", {false, MS_NODIRATIME}},
      {"noexec", {false, MS_NOEXEC}},
      {"norelatime", {true, MS_RELATIME}},
      {"nostrictatime", {true, MS_STRICTATIME}},
      {"nosuid", {false, MS_NOSUID}},
      {"nosymfollow", {false, MS_NOSYMFOLLOW}},
      {"symfollow", {true, MS_NOSYMFOLLOW}},
      {"rbind", {false, MS_BIND | MS_REC}},
      {"relatime", {false, MS_RELATIME}},
      {"remount", {false, MS_REMOUNT}},
      {"ro", {false, MS_RDONLY}},
      {"rw", {true, MS_RDONLY}},
      {"strictatime", {false, MS_STRICTATIME}},
      {"suid", {true, MS_NOSUID}},
      {"sync", {false, MS_SYNCHRONOUS}},
  };
  return m;
}

struct Attr {
  uint64_t set;
  uint64_t clr;
};

// Recursive attributes (mount_setattr AT_RECURSIVE). An access-time mode has
// to clear the whole MOUNT_ATTR__ATIME field, so every atime word does.
const std::map<std::string, Attr> &rec_attrs() {
  static const std::map<std::string, Attr> m = {
      {"rro", {MOUNT_ATTR_RDONLY, 0}},
      {"rrw", {0, MOUNT_ATTR_RDONLY}},
      {"rnosuid", {MOUNT_ATTR_NOSUID, 0}},
      {"rsuid", {0, MOUNT_ATTR_NOSUID}},
      {"rnodev", {MOUNT_ATTR_NODEV, 0}},
      {"rdev", {0, MOUNT_ATTR_NODEV}},
      {"rnoexec", {MOUNT_ATTR_NOEXEC, 0}},
      {"rexec", {0, MOUNT_ATTR_NOEXEC}},
      {"rnodiratime", {MOUNT_ATTR_NODIRATIME, 0}},
      {"rdiratime", {0, MOUNT_ATTR_NODIRATIME}},
      {"rrelatime", {MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME}},
      {"rnorelatime", {MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME}},
      {"rnoatime", {MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME}},
      {"ratime", {MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME}},
      {"rstrictatime", {MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME}},
      {"rnostrictatime", {MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME}},
      {"rnosymfollow", {MOUNT_ATTR_NOSYMFOLLOW, 0}},
      {"rsymfollow", {0, MOUNT_ATTR_NOSYMFOLLOW}},
  };
  return m;
}

} // namespace

bool MountOptions::bind() const {
  return (flags & MS_BIND) != 0;
}

unsigned long MountOptions::bind_remount_flags() const {
  return flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
}

unsigned long propagation_flag(const std::string &w) {
  if (w == "private") return MS_PRIVATE;
  if (w == "rprivate") return MS_PRIVATE | MS_REC;
  if (w == "shared") return MS_SHARED;
  if (w == "rshared") return MS_SHARED | MS_REC;
  if (w == "slave") return MS_SLAVE;
  if (w == "rslave") return MS_SLAVE | MS_REC;
  if (w == "unbindable") return MS_UNBINDABLE;
  if (w == "runbindable") return MS_UNBINDABLE | MS_REC;
  return 0;
}

MountOptions parse_mount_options(const std::vector<std::string> &options) {
  MountOptions o;
  for (const auto &w : options) {
    if (auto it = mount_flags().find(w); it != mount_flags().end()) {
      const Flag &f = it->second;
      if (f.clear) {
        o.flags &= ~f.flag;
        o.clear |= f.flag;
      } else {
        // Access-time modes exclude each other: the last one wins.
        if (f.flag & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
          o.flags &= ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
        o.flags |= f.flag;
        o.clear &= ~f.flag;
      }
    } else if (auto p = propagation_flag(w); p != 0) {
      o.propagation.push_back(p);
    } else if (auto a = rec_attrs().find(w); a != rec_attrs().end()) {
      o.attr_set &= ~a->second.clr;
      o.attr_set |= a->second.set;
      o.attr_clr &= ~a->second.set;
      o.attr_clr |= a->second.clr;
    } else if (w == "tmpcopyup") {
      o.tmpcopyup = true;
    } else if (w == "idmap" || w == "ridmap") {
      o.idmap = true;
      o.idmap_rec = o.idmap_rec || w == "ridmap";
    } else if (!w.empty()) {
      if (!o.data.empty()) o.data += ',';
      o.data += w;
    }
  }
  return o;
}

unsigned long locked_flags_to_keep(unsigned long st, const MountOptions &o, bool all_locked) {
  unsigned long keep = 0;
  const unsigned long cleared = all_locked ? 0 : o.clear;
  if ((st & ST_RDONLY) && !(cleared & MS_RDONLY)) keep |= MS_RDONLY;
  if ((st & ST_NOSUID) && !(cleared & MS_NOSUID)) keep |= MS_NOSUID;
  if ((st & ST_NODEV) && !(cleared & MS_NODEV)) keep |= MS_NODEV;
  if ((st & ST_NOEXEC) && !(cleared & MS_NOEXEC)) keep |= MS_NOEXEC;
  if (all_locked) {
    // The atime mode is locked too (MNT_LOCK_ATIME): the source's wins.
    if (st & ST_NOATIME)
      keep |= MS_NOATIME;
    else if (st & ST_RELATIME)
      keep |= MS_RELATIME;
    else
      keep |= MS_STRICTATIME;
    if (st & ST_NODIRATIME) keep |= MS_NODIRATIME;
    return keep;
  }
  if ((o.flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) == 0 &&
      !(o.clear & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))) {
    if (st & ST_NOATIME) keep |= MS_NOATIME;
    if (st & ST_RELATIME) keep |= MS_RELATIME;
  }
  if (!(o.flags & MS_NODIRATIME) && !(o.clear & MS_NODIRATIME) && (st & ST_NODIRATIME))
    keep |= MS_NODIRATIME;
  return keep;
}

} // namespace hull::sys
