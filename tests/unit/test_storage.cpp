// hull-storage's pure parts: archive entry checks, whiteout mapping, mount
// flags, User resolution and image config -> config.json.
#include <catch2/catch.hpp>

#include "spec/spec.hpp"
#include "storage/bundle_plan.hpp"
#include "storage/digest.hpp"
#include "storage/entry_plan.hpp"
#include "util/error.hpp"

using namespace hull::storage;
using nlohmann::json;

namespace {
EntryPlan plan(const std::string &path, EntryKind k = EntryKind::File,
               const std::string &link = "") {
  return plan_entry({path, k, link}, UnpackPolicy{});
}
} // namespace

TEST_CASE("storage: entry paths are cleaned, escapes refused", "[storage]") {
  CHECK(clean_entry_path("./a//b/") == "a/b");
  CHECK(clean_entry_path("./") == "");
  CHECK_THROWS_WITH(clean_entry_path("/etc/passwd"), Catch::Contains("absolute path"));
  CHECK_THROWS_WITH(clean_entry_path("a/../../x"), Catch::Contains("\"..\""));
  CHECK_THROWS_WITH(clean_entry_path("a/.."), Catch::Contains("\"..\""));
  CHECK_THROWS_AS(clean_entry_path(""), hull::Error);
}

TEST_CASE("storage: whiteouts and opaque markers map to overlay", "[storage]") {
  auto w = plan("etc/.wh.passwd");
  CHECK(w.action == Action::Whiteout);
  CHECK(w.path == "etc/passwd");
  CHECK(plan(".wh.top").path == "top");
  auto o = plan("usr/share/.wh..wh..opq");
  CHECK(o.action == Action::Opaque);
  CHECK(o.path == "usr/share");
  CHECK(plan(".wh..wh..opq").path == "");
  CHECK(plan("a/.wh..wh.plnk").action == Action::Skip);
  CHECK(plan("./", EntryKind::Dir).action == Action::Skip);
  CHECK_THROWS_WITH(plan("a/.wh."), Catch::Contains("names no file"));
  CHECK_THROWS_WITH(plan(".wh.d/x"), Catch::Contains("cannot be a directory"));
  CHECK_THROWS_WITH(plan("a/.wh.b", EntryKind::Symlink, "x"), Catch::Contains("regular file"));
  UnpackPolicy raw;
  raw.map_whiteouts = false;
  CHECK(plan_entry({"a/.wh.b", EntryKind::File, ""}, raw).action == Action::Create);
}

TEST_CASE("storage: links and devices", "[storage]") {
  CHECK(plan("bin/sh", EntryKind::Symlink, "/bin/busybox").link == "/bin/busybox");
  CHECK(plan("usr/bin/x", EntryKind::Symlink, "../../bin/x").action == Action::Create);
  CHECK_THROWS_WITH(plan("usr/x", EntryKind::Symlink, "../../../etc"),
                    Catch::Contains("leaves the image root"));
  CHECK(symlink_escapes("a", ".."));
  CHECK_FALSE(symlink_escapes("a/b", ".."));
  CHECK(plan("b", EntryKind::Hardlink, "./a").link == "a");
  CHECK_THROWS_WITH(plan("b", EntryKind::Hardlink, "../a"), Catch::Contains("leaves the layer"));
  CHECK_THROWS_WITH(plan("b", EntryKind::Hardlink, "/etc/shadow"), Catch::Contains("absolute"));
  CHECK_THROWS_WITH(plan("dev/sda", EntryKind::BlockDev), Catch::Contains("device node"));
  UnpackPolicy dev;
  dev.allow_devices = true;
  CHECK(plan_entry({"dev/null", EntryKind::CharDev, ""}, dev).action == Action::Create);
}

TEST_CASE("storage: duplicate entries", "[storage]") {
  DuplicateCheck d;
  d.add(plan("a"));
  CHECK_THROWS_WITH(d.add(plan("./a")), Catch::Contains("duplicate"));
  d.add(plan("dir", EntryKind::Dir));
  d.add(plan("dir/.wh..wh..opq")); // opaque mark and the dir itself are different things
  CHECK_THROWS_WITH(d.add(plan("dir/.wh..wh..opq")), Catch::Contains("duplicate"));
  d.add(plan("x/.wh.y"));
  CHECK_THROWS_WITH(d.add(plan("x/y")), Catch::Contains("duplicate")); // file and its own whiteout
}

TEST_CASE("storage: digests", "[storage]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(digest_hex("sha256:" + std::string(64, 'a'), "x") == std::string(64, 'a'));
  CHECK_THROWS_WITH(digest_hex("sha512:aa", "layer"), Catch::Contains("only sha256"));
  CHECK_THROWS_WITH(digest_hex("sha256:../../etc", "layer"), Catch::Contains("malformed"));
}

TEST_CASE("storage: image references and mount flags", "[storage]") {
  CHECK(parse_ref("busybox").str() == "busybox:latest");
  CHECK(parse_ref("localhost:5000/a/b:1").name == "localhost:5000/a/b");
  CHECK(parse_ref("localhost:5000/a/b").tag == "latest");
  CHECK_THROWS(parse_ref("a:"));
  auto v = parse_mount(MountKind::Volume, "cache:/root/.cache:ro");
  CHECK(v.source == "cache");
  CHECK(v.dest == "/root/.cache");
  CHECK(v.readonly);
  CHECK_THROWS_WITH(parse_mount(MountKind::Volume, "../x:/a"), Catch::Contains("volume name"));
  CHECK_THROWS_WITH(parse_mount(MountKind::Bind, "rel:/a"), Catch::Contains("absolute"));
  CHECK_THROWS_WITH(parse_mount(MountKind::Bind, "/a:rel"), Catch::Contains("must be absolute"));
  CHECK_THROWS_WITH(parse_mount(MountKind::Bind, "/a:/b/../c"), Catch::Contains("\"..\""));
  CHECK_THROWS_WITH(parse_mount(MountKind::Bind, "/a:/b:rx"), Catch::Contains("unknown option"));
  CHECK_THROWS_WITH(parse_mount(MountKind::Overlay, "/a:/b:ro"),
                    Catch::Contains("takes no options"));
  CHECK(parse_mount(MountKind::Tmpfs, "/tmp").dest == "/tmp");
}

TEST_CASE("storage: image User resolution", "[storage]") {
  const std::string passwd = "root:x:0:0::/root:/bin/sh\nbuild:x:1000:100::/home/b:/bin/sh\n";
  const std::string group = "root:x:0:\nusers:x:100:\nwheel:x:10:build,other\n";
  auto u = resolve_user("build", passwd, group);
  CHECK(u.uid == 1000);
  CHECK(u.gid == 100);
  CHECK(u.additional == std::vector<uint32_t>{10});
  CHECK(resolve_user("123:45", "", "").gid == 45);
  CHECK(resolve_user("build:wheel", passwd, group).gid == 10);
  CHECK(resolve_user("", "", "").uid == 0);
  CHECK_THROWS_WITH(resolve_user("nobody", passwd, group), Catch::Contains("no user \"nobody\""));
  CHECK_THROWS_WITH(resolve_user("0:nogroup", passwd, group), Catch::Contains("no group"));
}

TEST_CASE("storage: image config becomes config.json", "[storage]") {
  BundleInputs in;
  in.base = hull::spec::default_spec(false);
  in.image_config = json::parse(R"({"config": {"Entrypoint": ["/bin/tini", "--"],
    "Cmd": ["make"], "Env": ["PATH=/opt/bin", "CC=gcc"], "WorkingDir": "/src",
    "Labels": {"a.b": "c"}, "StopSignal": "SIGQUIT", "User": "1000"}})");
  in.user.uid = 1000;
  in.image_ref = "ci:1";
  in.mounts.push_back({{"destination", "/cache"}, {"type", "bind"}, {"source", "/v"}});
  json c = bundle_config(in);
  CHECK(c["process"]["args"] == json({"/bin/tini", "--", "make"}));
  CHECK(c["process"]["env"][0] == "PATH=/opt/bin"); // replaced in place
  CHECK(c["process"]["env"].back() == "CC=gcc");
  CHECK(c["process"]["cwd"] == "/src");
  CHECK(c["process"]["user"]["uid"] == 1000);
  CHECK(c["process"]["terminal"] == false);
  CHECK(c["root"]["readonly"] == false);
  CHECK(c["annotations"]["a.b"] == "c");
  CHECK(c["annotations"]["org.opencontainers.image.stopSignal"] == "SIGQUIT");
  CHECK(c["mounts"].back()["destination"] == "/cache");
  hull::spec::config_from_json(c); // hull accepts what we write
  in.args = {"make", "test"};
  CHECK(bundle_config(in)["process"]["args"] == json({"/bin/tini", "--", "make", "test"}));
  in.image_config = json::parse(R"({"config": {"WorkingDir": null}})");
  in.args.clear();
  CHECK_THROWS_WITH(bundle_config(in), Catch::Contains("no Entrypoint or Cmd"));
}
