// Unit tests for the deciding half of rootfs setup: mount option parsing,
// the rootfs/finalize plans, sysctl rules, cgroup hierarchy discovery, and
// safe path resolution (in a temp dir with symlinks; no root needed).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>

#include "linux/cgroup_mount.hpp"
#include "linux/mount_options.hpp"
#include "linux/rootfs_plan.hpp"
#include "linux/sysctl.hpp"
#include "util/error.hpp"
#include "util/safe_path.hpp"

using namespace hull;
using namespace hull::sys;

namespace {

std::string error_of(const std::function<void()> &f) {
  try {
    f();
  } catch (const hull::Error &e) {
    return e.what();
  }
  return "<no error>";
}

MountOptions opts(std::vector<std::string> o) {
  return parse_mount_options(o);
}

struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/hull-rootfs-test.XXXXXX";
    REQUIRE(::mkdtemp(t) != nullptr);
    path = t;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void mkdir(const std::string &p) const { std::filesystem::create_directories(path + p); }
  void link(const std::string &target, const std::string &p) const {
    REQUIRE(::symlink(target.c_str(), (path + p).c_str()) == 0);
  }
  void file(const std::string &p) const {
    int fd = ::open((path + p).c_str(), O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    ::close(fd);
  }
};

spec::Config base_config() {
  spec::Config c;
  c.root = spec::Root{"rootfs", false};
  c.linux_ = spec::Linux{};
  return c;
}

spec::Mount mnt(std::string dest, std::string type, std::string src,
                std::vector<std::string> o = {}) {
  spec::Mount m;
  m.destination = std::move(dest);
  m.type = std::move(type);
  m.source = std::move(src);
  m.options = std::move(o);
  return m;
}

} // namespace

TEST_CASE("mount options: every flag word sets or clears its MS_ flag", "[rootfs][options]") {
  struct Case {
    const char *word;
    unsigned long flag;
    bool clears;
  };
  const Case cases[] = {
      {"ro", MS_RDONLY, false},
      {"rw", MS_RDONLY, true},
      {"nosuid", MS_NOSUID, false},
      {"suid", MS_NOSUID, true},
      {"nodev", MS_NODEV, false},
      {"dev", MS_NODEV, true},
      {"noexec", MS_NOEXEC, false},
      {"exec", MS_NOEXEC, true},
      {"sync", MS_SYNCHRONOUS, false},
      {"async", MS_SYNCHRONOUS, true},
      {"dirsync", MS_DIRSYNC, false},
      {"remount", MS_REMOUNT, false},
      {"mand", MS_MANDLOCK, false},
      {"nomand", MS_MANDLOCK, true},
      {"noatime", MS_NOATIME, false},
      {"atime", MS_NOATIME, true},
      {"nodiratime", MS_NODIRATIME, false},
      {"diratime", MS_NODIRATIME, true},
      {"relatime", MS_RELATIME, false},
      {"norelatime", MS_RELATIME, true},
      {"strictatime", MS_STRICTATIME, false},
      {"nostrictatime", MS_STRICTATIME, true},
      {"lazytime", MS_LAZYTIME, false},
      {"nolazytime", MS_LAZYTIME, true},
      {"nosymfollow", MS_NOSYMFOLLOW, false},
      {"symfollow", MS_NOSYMFOLLOW, true},
      {"bind", MS_BIND, false},
      {"iversion", MS_I_VERSION, false},
      {"noiversion", MS_I_VERSION, true},
      {"silent", MS_SILENT, false},
      {"loud", MS_SILENT, true},
  };
  for (const auto &c : cases) {
    INFO(c.word);
    MountOptions o = opts({c.word});
    if (c.clears) {
      CHECK((o.flags & c.flag) == 0);
      CHECK((o.clear & c.flag) == c.flag);
      // And it undoes the setting word given before it.
      MountOptions both =
          opts({c.word[0] == 'n' && c.word[1] == 'o' ? c.word + 2 : c.word, c.word});
      CHECK((both.flags & c.flag) == 0);
    } else {
      CHECK((o.flags & c.flag) == c.flag);
      CHECK((o.clear & c.flag) == 0);
    }
    CHECK(o.data.empty());
    CHECK(o.propagation.empty());
  }
}

TEST_CASE("mount options: defaults, rbind, later words win", "[rootfs][options]") {
  CHECK(opts({"defaults"}).flags == 0);
  CHECK(opts({"defaults"}).data.empty());
  CHECK(opts({"rbind"}).flags == (MS_BIND | MS_REC));
  CHECK(opts({"rbind"}).bind());
  CHECK_FALSE(opts({"ro"}).bind());
  CHECK(opts({"ro", "rw"}).flags == 0);
  CHECK(opts({"rw", "ro"}).flags == MS_RDONLY);
  CHECK((opts({"rw", "ro"}).clear & MS_RDONLY) == 0);
  // Access-time modes exclude each other.
  CHECK(opts({"noatime", "relatime"}).flags == MS_RELATIME);
  CHECK(opts({"relatime", "strictatime"}).flags == MS_STRICTATIME);
  CHECK(opts({"strictatime", "noatime"}).flags == MS_NOATIME);
}

TEST_CASE("mount options: propagation words, in order", "[rootfs][options]") {
  auto o = opts(
      {"private", "rshared", "slave", "rslave", "unbindable", "runbindable", "rprivate", "shared"});
  REQUIRE(o.propagation.size() == 8);
  CHECK(o.propagation[0] == MS_PRIVATE);
  CHECK(o.propagation[1] == (MS_SHARED | MS_REC));
  CHECK(o.propagation[2] == MS_SLAVE);
  CHECK(o.propagation[3] == (MS_SLAVE | MS_REC));
  CHECK(o.propagation[4] == MS_UNBINDABLE);
  CHECK(o.propagation[5] == (MS_UNBINDABLE | MS_REC));
  CHECK(o.propagation[6] == (MS_PRIVATE | MS_REC));
  CHECK(o.propagation[7] == MS_SHARED);
  CHECK(o.flags == 0);
  CHECK(propagation_flag("bogus") == 0);
  CHECK(propagation_flag("rslave") == (MS_SLAVE | MS_REC));
}

TEST_CASE("mount options: recursive attributes for mount_setattr", "[rootfs][options]") {
  struct Case {
    const char *word;
    uint64_t set, clr;
  };
  const Case cases[] = {
      {"rro", MOUNT_ATTR_RDONLY, 0},
      {"rrw", 0, MOUNT_ATTR_RDONLY},
      {"rnosuid", MOUNT_ATTR_NOSUID, 0},
      {"rsuid", 0, MOUNT_ATTR_NOSUID},
      {"rnodev", MOUNT_ATTR_NODEV, 0},
      {"rdev", 0, MOUNT_ATTR_NODEV},
      {"rnoexec", MOUNT_ATTR_NOEXEC, 0},
      {"rexec", 0, MOUNT_ATTR_NOEXEC},
      {"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
      {"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
      {"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
      {"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
      {"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
      {"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
      {"rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
      {"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
      {"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
      {"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
  };
  for (const auto &c : cases) {
    INFO(c.word);
    auto o = opts({c.word});
    CHECK(o.attr_set == c.set);
    CHECK(o.attr_clr == c.clr);
    CHECK(o.recursive_attrs());
    CHECK(o.flags == 0);
    CHECK(o.data.empty());
  }
  auto o = opts({"rro", "rrw"});
  CHECK(o.attr_set == 0);
  CHECK(o.attr_clr == MOUNT_ATTR_RDONLY);
  o = opts({"rnoatime", "rstrictatime"});
  CHECK(o.attr_set == MOUNT_ATTR_STRICTATIME);
  CHECK(o.attr_clr == MOUNT_ATTR__ATIME);
  CHECK_FALSE(opts({"ro", "nosuid"}).recursive_attrs());
}

TEST_CASE("mount options: tmpcopyup, idmap, data string", "[rootfs][options]") {
  CHECK(opts({"tmpcopyup"}).tmpcopyup);
  CHECK_FALSE(opts({"ro"}).tmpcopyup);
  auto i = opts({"idmap"});
  CHECK(i.idmap);
  CHECK_FALSE(i.idmap_rec);
  auto r = opts({"rbind", "ridmap"});
  CHECK(r.idmap);
  CHECK(r.idmap_rec);
  auto d = opts({"nosuid", "mode=755", "size=65536k", "newinstance", "ptmxmode=0666", "gid=5"});
  CHECK(d.flags == MS_NOSUID);
  CHECK(d.data == "mode=755,size=65536k,newinstance,ptmxmode=0666,gid=5");
  CHECK(opts({"", "x"}).data == "x");
}

TEST_CASE("mount options: bind remount flags", "[rootfs][options]") {
  CHECK(opts({"bind"}).bind_remount_flags() == 0);
  CHECK(opts({"rbind", "rw"}).bind_remount_flags() == 0);
  CHECK(opts({"rbind", "private"}).bind_remount_flags() == 0);
  CHECK(opts({"bind", "ro", "nosuid"}).bind_remount_flags() == (MS_RDONLY | MS_NOSUID));
  CHECK(opts({"rbind", "noexec", "remount"}).bind_remount_flags() == MS_NOEXEC);
}

TEST_CASE("locked flags kept on bind remount", "[rootfs][options]") {
  const unsigned long st = ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | ST_RDONLY;
  // Nothing said about them: all kept.
  auto keep = locked_flags_to_keep(st, opts({"bind", "nodev"}));
  CHECK(keep == (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_RDONLY));
  // Explicitly cleared ones are dropped on the first try...
  keep = locked_flags_to_keep(st, opts({"bind", "suid", "exec", "rw"}));
  CHECK(keep == (MS_NODEV | MS_NOATIME));
  // ...but kept on the EPERM retry (the kernel locks them in a user ns).
  keep = locked_flags_to_keep(st, opts({"bind", "suid", "exec", "rw"}), true);
  CHECK(keep == (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_RDONLY));
  // An atime mode in the options replaces the source's.
  keep = locked_flags_to_keep(ST_NOATIME | ST_RELATIME, opts({"bind", "strictatime"}));
  CHECK(keep == 0);
  CHECK(locked_flags_to_keep(ST_RELATIME, opts({"bind"})) == MS_RELATIME);
  CHECK(locked_flags_to_keep(0, opts({"bind"})) == 0);
  // On the retry the source's atime mode is locked as well.
  CHECK(locked_flags_to_keep(ST_RELATIME, opts({"bind", "strictatime"}), true) == MS_RELATIME);
  CHECK(locked_flags_to_keep(0, opts({"bind", "noatime"}), true) == MS_STRICTATIME);
}

TEST_CASE("clean_path", "[rootfs][plan]") {
  CHECK(clean_path("/") == "/");
  CHECK(clean_path("") == "/");
  CHECK(clean_path("/a/./b/../c//") == "/a/c");
  CHECK(clean_path("/../../etc") == "/etc");
  CHECK(clean_path("/dev//shm/") == "/dev/shm");
}

TEST_CASE("rootfs plan: steps in order", "[rootfs][plan]") {
  auto c = base_config();
  c.mounts = {mnt("/proc", "proc", "proc"), mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"}),
              mnt("/data/", "bind", "vol", {"rbind", "ro"}),
              mnt("/etc/hosts", "none", "/tmp/hosts", {"bind"})};
  RootfsOptions o;
  o.rootfs = "/b/rootfs";
  o.bundle = "/b";
  o.terminal = true;
  auto p = plan_rootfs(c, o);
  CHECK(p.tree_propagation == (MS_SLAVE | MS_REC));
  REQUIRE(p.mounts.size() == 4);
  CHECK(p.mounts[2].destination == "/data");
  CHECK(p.mounts[2].source == "/b/vol"); // relative bind source: against the bundle
  CHECK(p.mounts[2].opts.bind());
  CHECK(p.mounts[3].source == "/tmp/hosts");
  CHECK(p.setup_dev);
  CHECK(p.console);
  std::vector<std::string> want = {"make / rslave",
                                   "bind rootfs onto itself",
                                   "mount proc to /proc",
                                   "mount tmpfs to /dev",
                                   "mount rbind to /data",
                                   "mount bind to /etc/hosts",
                                   "create device /dev/null",
                                   "create device /dev/zero",
                                   "create device /dev/full",
                                   "create device /dev/random",
                                   "create device /dev/urandom",
                                   "create device /dev/tty",
                                   "create /dev links",
                                   "create /dev/console",
                                   "before_pivot hook",
                                   "pivot_root"};
  CHECK(p.steps() == want);
}

TEST_CASE("rootfs plan: pivot variants and propagation", "[rootfs][plan]") {
  auto c = base_config();
  RootfsOptions o;
  o.rootfs = "/r";
  o.no_pivot = true;
  auto p = plan_rootfs(c, o);
  CHECK(p.root_switch == RootSwitch::MoveRoot);
  CHECK(p.steps().back() == "move rootfs to / and chroot");
  o.mount_ns = false;
  p = plan_rootfs(c, o);
  CHECK(p.root_switch == RootSwitch::Chroot);
  CHECK(p.tree_propagation == 0); // never touch the caller's namespace
  CHECK_FALSE(p.bind_root);
  CHECK(p.steps().front() == "create device /dev/null");

  o = RootfsOptions{};
  c.linux_->rootfsPropagation = "private";
  CHECK(plan_rootfs(c, o).tree_propagation == (MS_PRIVATE | MS_REC));
  c.linux_->rootfsPropagation = "shared";
  CHECK(plan_rootfs(c, o).tree_propagation == (MS_SLAVE | MS_REC));
  CHECK(plan_finalize(c).root_propagation == MS_SHARED);
  c.linux_->rootfsPropagation = "rshared";
  CHECK(plan_finalize(c).steps().back() == "make / rshared");
  // Per-mount propagation options are put back after a recursive root one.
  c.mounts = {mnt("/a", "bind", "/x", {"rbind", "rprivate"}),
              mnt("/b/", "tmpfs", "t", {"unbindable"})};
  auto fin = plan_finalize(c);
  REQUIRE(fin.mount_propagation.size() == 2);
  CHECK(fin.mount_propagation[0].first == "/a");
  CHECK(fin.mount_propagation[0].second == (MS_PRIVATE | MS_REC));
  CHECK(fin.steps().back() == "make /b unbindable");
  c.mounts.clear();
  c.linux_->rootfsPropagation = "sideways";
  CHECK(error_of([&] { plan_rootfs(c, o); }) ==
        "linux.rootfsPropagation: unknown propagation \"sideways\"");
}

TEST_CASE("rootfs plan: devices", "[rootfs][plan]") {
  auto c = base_config();
  spec::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.fileMode = 020640; // podman writes the file-type bits too
  fuse.uid = 1000;
  fuse.gid = 100;
  spec::Device null;
  null.type = "u";
  null.path = "/dev/null";
  null.major = 1;
  null.minor = 3;
  null.fileMode = 0600;
  spec::Device blk;
  blk.type = "b";
  blk.path = "/dev/loop0";
  blk.major = 7;
  c.linux_->devices = {fuse, null, blk};
  auto p = plan_rootfs(c, RootfsOptions{});
  REQUIRE(p.devices.size() == 8);
  CHECK(p.devices[0].path == "/dev/null");
  CHECK(p.devices[0].mode == 0600); // the config's entry replaces the default
  CHECK(p.devices[5].path == "/dev/tty");
  CHECK(p.devices[5].major == 5);
  CHECK(p.devices[6].path == "/dev/fuse");
  CHECK(p.devices[6].type == 'c');
  CHECK(p.devices[6].mode == 0640); // permission bits only
  CHECK(p.devices[6].uid == 1000);
  CHECK(p.devices[6].gid == 100);
  CHECK(p.devices[7].type == 'b');
  CHECK(p.devices[7].mode == 0666);
  CHECK_FALSE(p.console);

  // A bind-mounted /dev is used as is: no device nodes.
  c.mounts = {mnt("/dev", "bind", "/dev", {"rbind"})};
  p = plan_rootfs(c, RootfsOptions{});
  CHECK_FALSE(p.setup_dev);
  CHECK(p.devices.empty());

  // A read-only /dev tmpfs is mounted rw and remounted ro after the nodes.
  c.mounts = {mnt("/dev", "tmpfs", "tmpfs", {"ro", "nosuid"})};
  p = plan_rootfs(c, RootfsOptions{});
  CHECK(p.dev_readonly);
  CHECK(p.mounts[0].opts.flags == MS_NOSUID);
  CHECK(p.steps()[p.steps().size() - 3] == "remount /dev read-only");
}

TEST_CASE("finalize plan: order sysctl, readonly, masked, root ro, propagation", "[rootfs][plan]") {
  auto c = base_config();
  c.root->readonly = true;
  c.linux_->namespaces = {{"ipc", ""}, {"network", ""}, {"uts", ""}};
  c.linux_->sysctl = {{"net.ipv4.ip_forward", "1"}, {"kernel.shmmax", "1000"}};
  c.linux_->maskedPaths = {"/proc/kcore", "/sys/firmware/"};
  c.linux_->readonlyPaths = {"/proc/sys"};
  c.linux_->rootfsPropagation = "rslave";
  auto p = plan_finalize(c);
  std::vector<std::string> want = {"write /proc/sys/kernel/shmmax",
                                   "write /proc/sys/net/ipv4/ip_forward",
                                   "make /proc/sys read-only",
                                   "mask /proc/kcore",
                                   "mask /sys/firmware",
                                   "remount / read-only",
                                   "make / rslave"};
  CHECK(p.steps() == want);
  REQUIRE(p.sysctl.size() == 2);
  CHECK(p.sysctl[1].second == "1");
}

TEST_CASE("sysctl: only namespaced keys", "[rootfs][sysctl]") {
  SysctlNamespaces all{true, true, true}, none;
  for (const char *k : {"kernel.msgmax", "kernel.msgmnb", "kernel.sem", "kernel.shmall",
                        "kernel.shm_rmid_forced", "fs.mqueue.queues_max"}) {
    INFO(k);
    CHECK_NOTHROW(check_sysctl(k, all));
    CHECK(error_of([&] { check_sysctl(k, none); }) ==
          "sysctl \"" + std::string(k) +
              "\" is not allowed: the container does not have its own IPC namespace");
  }
  CHECK_NOTHROW(check_sysctl("net.ipv4.ip_forward", all));
  CHECK(error_of([&] { check_sysctl("net.core.somaxconn", none); }) ==
        "sysctl \"net.core.somaxconn\" is not allowed: the container does not have its own "
        "network namespace");
  CHECK_NOTHROW(check_sysctl("kernel.hostname", all));
  CHECK(error_of([&] { check_sysctl("kernel.domainname", none); }) ==
        "sysctl \"kernel.domainname\" is not allowed: the container does not have its own UTS "
        "namespace");
  CHECK(error_of([&] { check_sysctl("vm.swappiness", all); }) ==
        "sysctl \"vm.swappiness\" is not in a separate kernel namespace");
  CHECK(error_of([&] { check_sysctl("kernel.core_pattern", all); }) ==
        "sysctl \"kernel.core_pattern\" is not in a separate kernel namespace");
  for (const char *bad : {"", "net..x", "net.ipv4/../../x", ".net", "net."}) {
    INFO(bad);
    CHECK(error_of([&] { check_sysctl(bad, all); }) ==
          "sysctl \"" + std::string(bad) + "\": invalid key");
  }
  CHECK(sysctl_path("net.ipv4.ip_forward") == "/proc/sys/net/ipv4/ip_forward");

  auto c = base_config();
  c.linux_->sysctl = {{"net.ipv4.ip_forward", "1"}};
  CHECK(error_of([&] { plan_finalize(c); }).find("network namespace") != std::string::npos);
}

TEST_CASE("cgroup hierarchies from mountinfo and /proc/self/cgroup", "[rootfs][cgroup]") {
  const std::string mountinfo =
      "25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
      "29 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
      "30 29 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw\n"
      "31 29 0:28 / /sys/fs/cgroup/systemd rw shared:11 - cgroup cgroup rw,xattr,name=systemd\n"
      "35 29 0:32 / /sys/fs/cgroup/cpu,cpuacct rw shared:15 - cgroup cgroup rw,cpu,cpuacct\n"
      "36 29 0:33 /outer /sys/fs/cgroup/memory rw shared:16 - cgroup cgroup rw,memory\n"
      "37 29 0:34 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n";
  const std::string cg = "12:net_cls,net_prio:/c1\n"
                         "5:memory:/outer/c1\n"
                         "4:cpu,cpuacct:/c1\n"
                         "1:name=systemd:/user.slice/c1\n"
                         "0::/c1\n";
  auto hs = parse_cgroup_hierarchies(mountinfo, cg);
  REQUIRE(hs.size() == 5);
  CHECK(hs[0].v2);
  CHECK(hs[0].name() == "unified");
  CHECK(hs[0].bind_source() == "/sys/fs/cgroup/unified/c1");
  CHECK(hs[1].controllers == std::vector<std::string>{"name=systemd"});
  CHECK(hs[1].bind_source() == "/sys/fs/cgroup/systemd/user.slice/c1");
  CHECK(hs[2].name() == "cpu,cpuacct");
  CHECK(hs[2].controllers == std::vector<std::string>{"cpu", "cpuacct"});
  CHECK(hs[3].bind_source() == "/sys/fs/cgroup/memory/c1"); // mount root stripped
  auto links = cgroup_symlinks(hs);
  std::vector<std::pair<std::string, std::string>> want = {{"cpu", "cpu,cpuacct"},
                                                           {"cpuacct", "cpu,cpuacct"},
                                                           {"net_cls", "net_cls,net_prio"},
                                                           {"net_prio", "net_cls,net_prio"}};
  CHECK(links == want);
  // A hierarchy the process is not in is skipped.
  CHECK(parse_cgroup_hierarchies(mountinfo, "0::/x\n").size() == 1);
}

TEST_CASE("secure_join resolves symlinks as if root were /", "[rootfs][safe_path]") {
  TempDir t;
  const std::string &r = t.path;
  t.mkdir("/etc");
  t.mkdir("/usr/lib");
  t.link("/etc", "/abs");           // absolute: inside root
  t.link("../../../../etc", "/up"); // climbs past root: clamped
  t.link("usr/lib", "/rel");
  t.link("/proc/self/root", "/magic");
  t.link("loop2", "/loop1");
  t.link("loop1", "/loop2");
  t.link("missing/x", "/dangling");
  CHECK(secure_join(r, "/") == r);
  CHECK(secure_join(r, "") == r);
  CHECK(secure_join(r, "/etc/passwd") == r + "/etc/passwd");
  CHECK(secure_join(r, "abs/passwd") == r + "/etc/passwd");
  CHECK(secure_join(r, "/up/shadow") == r + "/etc/shadow");
  CHECK(secure_join(r, "/../../../etc") == r + "/etc");
  CHECK(secure_join(r, "/rel/../lib") == r + "/usr/lib");
  CHECK(secure_join(r, "/usr/lib/../../abs") == r + "/etc");
  CHECK(secure_join(r, "/magic/x") == r + "/proc/self/root/x");
  CHECK(secure_join(r, "/dangling") == r + "/missing/x");
  CHECK(secure_join(r, "/new/dir") == r + "/new/dir");
  CHECK(secure_join(r + "/", "etc") == r + "/etc");
  CHECK(error_of([&] { secure_join(r, "/loop1"); }).find("too many levels of symbolic links") !=
        std::string::npos);
}

TEST_CASE("open_in_root and mkdir_in_root stay inside the root", "[rootfs][safe_path]") {
  TempDir t;
  TempDir outside;
  t.mkdir("/etc");
  t.file("/etc/inside");
  outside.file("/secret");
  t.link(outside.path, "/escape"); // absolute host path: means <root>/<that path>
  t.link("../../../../../" + outside.path, "/escape2");
  t.link("/etc", "/proc");
  unique_fd root(::open(t.path.c_str(), O_PATH | O_DIRECTORY));
  REQUIRE(root);

  CHECK(open_in_root(root.get(), "/etc/inside", O_RDONLY));
  CHECK(open_in_root(root.get(), "/proc/inside", O_RDONLY)); // symlink within the root
  for (const char *p : {"/escape/secret", "/escape2/secret"}) {
    INFO(p);
    CHECK(error_of([&] { open_in_root(root.get(), p, O_RDONLY); }) ==
          "open " + std::string(p) + " in rootfs: no such file or directory");
  }

  // mkdir through an escaping symlink creates the directories inside the root.
  unique_fd d = mkdir_in_root(root.get(), "/escape/sub/dir", false);
  REQUIRE(d);
  struct stat st;
  CHECK(::stat((t.path + outside.path + "/sub/dir").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK(::stat((outside.path + "/sub").c_str(), &st) != 0);

  // "/proc" -> "/etc": a mount target there is <root>/etc, not the host's.
  unique_fd f = mkdir_in_root(root.get(), "/proc/newfile", true);
  CHECK(::stat((t.path + "/etc/newfile").c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  // Existing entries are reused; a file in the middle is an error.
  CHECK(mkdir_in_root(root.get(), "/etc", false));
  CHECK(error_of([&] { mkdir_in_root(root.get(), "/etc/inside/x", false); }) ==
        "mkdir /etc/inside in rootfs: not a directory");
  // A dangling symlink gets its target created inside the root.
  t.link("/nowhere/at/all", "/dangling");
  CHECK(mkdir_in_root(root.get(), "/dangling/x", true));
  CHECK(::stat((t.path + "/nowhere/at/all/x").c_str(), &st) == 0);
  CHECK(::stat("/nowhere", &st) != 0);
  // ... also when the dangling symlink is the last component (its parent
  // exists: the one-mkdir fast path must not take the link for done).
  t.link("/nowhere2", "/etc/dangling2");
  CHECK(mkdir_in_root(root.get(), "/etc/dangling2", false));
  CHECK(::stat((t.path + "/nowhere2").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  // A missing last component under an existing directory: created there.
  CHECK(mkdir_in_root(root.get(), "/etc/newdir", false));
  CHECK(::stat((t.path + "/etc/newdir").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK(mkdir_in_root(root.get(), "/proc/newfile2", true)); // through /proc -> /etc
  CHECK(::stat((t.path + "/etc/newfile2").c_str(), &st) == 0);
  CHECK(S_ISREG(st.st_mode));
}
