// spec/: config.json parsing + validation against the corpus in
// tests/unit/configs, default spec, features and state documents.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <unistd.h>

#include "spec/capabilities.hpp"
#include "spec/names.hpp"
#include "spec/spec.hpp"

namespace fs = std::filesystem;
using namespace hull::spec;
using nlohmann::json;

namespace {

const fs::path kConfigs = fs::path(HULL_SOURCE_DIR) / "tests/unit/configs";

std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<fs::path> files_in(const fs::path &dir, const std::string &ext) {
  std::vector<fs::path> out;
  for (const auto &e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The message parse_config throws for this text, or "" when it parses.
std::string error_of(const std::string &text) {
  try {
    parse_config(text);
  } catch (const ConfigError &e) {
    return e.what();
  }
  return "";
}

Config good(const char *name) {
  return parse_config(slurp(kConfigs / "good" / name));
}

// A valid base document tests mutate.
json base() {
  return json::parse(R"({
    "ociVersion": "1.3.0", "root": {"path": "rootfs"},
    "process": {"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0}},
    "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]}})");
}

} // namespace

TEST_CASE("every malformed config in the corpus fails with its exact error", "[spec]") {
  auto cases = files_in(kConfigs / "bad", ".json");
  REQUIRE(cases.size() >= 40);
  for (const auto &file : cases) {
    fs::path err = file;
    err.replace_extension(".err");
    INFO("corpus file " << file.filename().string());
    REQUIRE(fs::exists(err));
    std::string expected = slurp(err);
    while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r'))
      expected.pop_back();
    REQUIRE(expected.find('\n') == std::string::npos); // one line
    CHECK(error_of(slurp(file)) == expected);
  }
}

TEST_CASE("device fileMode may carry its own file-type bits (podman)", "[spec]") {
  json j = base();
  j["linux"]["devices"] = json::array(
      {{{"type", "c"}, {"path", "/dev/x"}, {"major", 1}, {"minor", 3}, {"fileMode", 020666}},
       {{"type", "b"}, {"path", "/dev/y"}, {"major", 7}, {"minor", 0}, {"fileMode", 060660}},
       {{"type", "p"}, {"path", "/dev/z"}, {"fileMode", 010600}}});
  CHECK(error_of(j.dump()) == "");
  j["linux"]["devices"][0]["fileMode"] = 010666;
  CHECK(error_of(j.dump()) ==
        "config.json: linux.devices[0].fileMode: file-type bits 010000 do not match type \"c\"");
}

TEST_CASE("unknown capability names parse: runc and crun ignore them", "[spec]") {
  json j = base();
  j["process"]["capabilities"] = {{"bounding", {"CAP_CHOWN", "CAP_FLY"}},
                                  {"ambient", {"cap_kill"}},
                                  {"inheritable", {"CAP_SYS_EVERYTHING"}}};
  CHECK(error_of(j.dump()) == "");
}

TEST_CASE("ConfigError carries path and problem separately", "[spec]") {
  json doc = base();
  doc["mounts"] = json::array({{{"destination", "/a"}}, {{"destination", "b"}}});
  try {
    config_from_json(doc);
    FAIL("relative destination accepted");
  } catch (const ConfigError &e) {
    CHECK(e.path() == "mounts[1].destination");
    CHECK(e.problem() == "must be an absolute path, got \"b\"");
    CHECK(std::string(e.what()) == "config.json: mounts[1].destination: " + e.problem());
  }
}

TEST_CASE("every good config in the corpus parses", "[spec]") {
  auto cases = files_in(kConfigs / "good", ".json");
  REQUIRE(cases.size() >= 4);
  for (const auto &file : cases) {
    INFO("corpus file " << file.filename().string());
    CHECK(error_of(slurp(file)) == "");
  }
}

TEST_CASE("runc spec output parses to runc's defaults", "[spec]") {
  Config c = good("runc_spec.json");
  CHECK(c.ociVersion == "1.0.2-dev");
  REQUIRE(c.root);
  CHECK(c.root->path == "rootfs");
  CHECK(c.root->readonly);
  REQUIRE(c.process);
  CHECK(c.process->terminal);
  CHECK(c.process->args == std::vector<std::string>{"sh"});
  CHECK(c.process->cwd == "/");
  CHECK(c.process->noNewPrivileges);
  REQUIRE(c.process->rlimits.size() == 1);
  CHECK(c.process->rlimits[0].type == "RLIMIT_NOFILE");
  CHECK(c.process->rlimits[0].hard == 1024);
  REQUIRE(c.process->capabilities);
  CHECK(c.process->capabilities->bounding.size() == 3);
  CHECK(c.process->capabilities->inheritable.empty());
  REQUIRE(c.mounts.size() == 7);
  CHECK(c.mounts[2].destination == "/dev/pts");
  CHECK(c.mounts[2].options.back() == "gid=5");
  REQUIRE(c.linux_);
  CHECK(c.linux_->namespaces.size() == 5);
  CHECK(c.linux_->namespaces[1].type == "network");
  CHECK(c.linux_->namespaces[1].path.empty());
  REQUIRE(c.linux_->resources);
  REQUIRE(c.linux_->resources->devices.size() == 1);
  CHECK_FALSE(c.linux_->resources->devices[0].allow);
  CHECK(c.linux_->resources->devices[0].access == "rwm");
  CHECK(c.linux_->maskedPaths.size() == 10);
  CHECK(c.linux_->readonlyPaths.size() == 5);
}

TEST_CASE("full config: every field lands in the model", "[spec]") {
  Config c = good("full.json");
  CHECK(c.hostname == "full");
  CHECK(c.domainname == "example.org");
  CHECK(c.annotations.at("org.example.key") == "value");

  REQUIRE(c.mounts.size() == 3);
  const Mount &idm = c.mounts[2];
  CHECK(idm.type == "bind");
  CHECK(idm.source == "/srv/data");
  REQUIRE(idm.uidMappings.size() == 1);
  CHECK(idm.uidMappings[0].hostID == 100000);
  CHECK(idm.uidMappings[0].size == 65536);
  CHECK(idm.gidMappings[0].hostID == 200000);

  const Process &p = *c.process;
  REQUIRE(p.consoleSize);
  CHECK(p.consoleSize->height == 25);
  CHECK(p.consoleSize->width == 80);
  CHECK(p.cwd == "/home/app");
  CHECK(p.env.size() == 2);
  CHECK(p.args.size() == 3);
  CHECK(p.commandLine == "sh -c echo");
  CHECK(p.rlimits[1].hard == UINT64_MAX);
  CHECK(p.rlimits[1].soft == 0);
  CHECK(p.apparmorProfile == "hull-default");
  CHECK(p.capabilities->bounding.back() == "CAP_CHECKPOINT_RESTORE");
  CHECK(p.capabilities->ambient.size() == 2); // ambient not in permitted: allowed
  CHECK(p.capabilities->effective == std::vector<std::string>{"CAP_KILL"});
  CHECK(p.oomScoreAdj == -500);
  REQUIRE(p.scheduler);
  CHECK(p.scheduler->policy == "SCHED_DEADLINE");
  CHECK(p.scheduler->nice == -5);
  CHECK(p.scheduler->runtime == 1000000);
  CHECK(p.scheduler->deadline == 2000000);
  CHECK(p.scheduler->period == 3000000);
  CHECK(p.scheduler->flags.size() == 1);
  CHECK(p.selinuxLabel == "system_u:system_r:container_t:s0");
  REQUIRE(p.ioPriority);
  CHECK(p.ioPriority->ioClass == "IOPRIO_CLASS_BE");
  CHECK(p.ioPriority->priority == 4);
  REQUIRE(p.execCPUAffinity);
  CHECK(p.execCPUAffinity->final == "0-3,7");
  CHECK(p.user.uid == 1000);
  CHECK(p.user.gid == 1001);
  CHECK(p.user.umask == 18u);
  CHECK(p.user.additionalGids == std::vector<uint32_t>{5, 2147483647u});
  CHECK(p.user.username == "app");

  REQUIRE(c.hooks);
  CHECK(c.hooks->prestart.size() == 1);
  REQUIRE(c.hooks->createRuntime.size() == 1);
  CHECK(c.hooks->createRuntime[0].args == std::vector<std::string>{"net-hook", "up"});
  CHECK(c.hooks->createRuntime[0].env == std::vector<std::string>{"NETNS=1"});
  CHECK(c.hooks->createRuntime[0].timeout == 5);
  CHECK(c.hooks->createContainer.size() == 1);
  CHECK(c.hooks->startContainer[0].path == "/bin/true");
  CHECK(c.hooks->poststart.size() == 2);
  CHECK(c.hooks->poststop[0].timeout == 30);
  CHECK_FALSE(c.hooks->prestart[0].timeout);

  const Linux &l = *c.linux_;
  CHECK(l.namespaces.size() == 8);
  CHECK(l.namespaces[7].type == "time");
  CHECK(l.uidMappings[0].size == 65536);
  CHECK(l.timeOffsets.at("monotonic").secs == 86400);
  CHECK(l.timeOffsets.at("monotonic").nanosecs == 500);
  CHECK(l.timeOffsets.at("boottime").secs == -10);
  REQUIRE(l.devices.size() == 2);
  CHECK(l.devices[0].major == 10);
  CHECK(l.devices[0].minor == 229);
  CHECK(l.devices[0].fileMode == 438u);
  CHECK(l.devices[0].uid == 0u);
  CHECK(l.devices[1].type == "p");
  CHECK_FALSE(l.devices[1].fileMode);
  CHECK(l.cgroupsPath == "/hull/full");
  CHECK(l.rootfsPropagation == "slave");
  CHECK(l.sysctl.at("net.ipv4.ip_forward") == "1");
  CHECK(l.maskedPaths.size() == 2);
  CHECK(l.readonlyPaths == std::vector<std::string>{"/proc/sys"});
  CHECK(l.mountLabel == "system_u:object_r:container_file_t:s0");

  const Resources &r = *l.resources;
  REQUIRE(r.devices.size() == 2);
  CHECK(r.devices[1].allow);
  CHECK(r.devices[1].type == "c");
  CHECK(r.devices[1].major == 10);
  CHECK_FALSE(r.devices[0].major);
  CHECK(r.memory->limit == 536870912);
  CHECK(r.memory->swap == -1);
  CHECK(r.memory->swappiness == 60u);
  CHECK(r.memory->disableOOMKiller == false);
  CHECK(r.memory->checkBeforeUpdate == true);
  CHECK(r.cpu->shares == 1024u);
  CHECK(r.cpu->quota == 50000);
  CHECK(r.cpu->burst == 10000u);
  CHECK(r.cpu->realtimeRuntime == 950000);
  CHECK(r.cpu->cpus == "0-1");
  CHECK(r.cpu->idle == 0);
  CHECK(r.pids->limit == 100);
  CHECK(r.blockIO->weight == 500);
  CHECK(r.blockIO->leafWeight == 300);
  CHECK(r.blockIO->weightDevice[0].weight == 600);
  CHECK(r.blockIO->throttleReadBpsDevice[0].rate == 1048576);
  CHECK(r.blockIO->throttleWriteIOPSDevice[0].minor == 16);
  CHECK(r.hugepageLimits[1].pageSize == "1GB");
  CHECK(r.network->classID == 1048577u);
  CHECK(r.network->priorities[0].name == "eth0");
  CHECK(r.rdma.at("mlx5_1").hcaObjects == 10000u);
  CHECK(r.unified.at("io.weight") == "default 100");

  const Seccomp &s = *l.seccomp;
  CHECK(s.defaultAction == "SCMP_ACT_ERRNO");
  CHECK(s.defaultErrnoRet == 1u);
  CHECK(s.architectures.size() == 3);
  CHECK(s.flags.size() == 2);
  CHECK(s.listenerPath == "/run/seccomp-agent.sock");
  CHECK(s.listenerMetadata == "meta");
  REQUIRE(s.syscalls.size() == 4);
  CHECK(s.syscalls[0].names.size() == 3);
  CHECK(s.syscalls[1].args[0].value == 4294967295u);
  CHECK(s.syscalls[1].args[1].valueTwo == 8u);
  CHECK(s.syscalls[1].args[1].op == "SCMP_CMP_MASKED_EQ");
  CHECK(s.syscalls[3].errnoRet == 38u);

  CHECK(l.intelRdt->closID == "guaranteed");
  CHECK(l.intelRdt->schemata == std::vector<std::string>{"L2:0=ff"});
  CHECK(l.intelRdt->enableMonitoring);
  CHECK(l.personality->domain == "LINUX32");
  CHECK(l.memoryPolicy->mode == "MPOL_INTERLEAVE");
  CHECK(l.memoryPolicy->flags.size() == 1);
  CHECK(l.netDevices.at("eth1").name == "net1");
  CHECK(l.netDevices.at("ens4").name.empty());
}

TEST_CASE("unknown fields and nulls are ignored", "[spec]") {
  Config c = good("forward_compat.json");
  CHECK(c.process->user.uid == 1000);
  CHECK_FALSE(c.process->user.umask);
  CHECK(c.mounts[0].options == std::vector<std::string>{"rbind", "rro"});
  CHECK_FALSE(c.linux_->resources);
  CHECK(c.linux_->namespaces[1].path == "/var/run/netns/blue");
}

TEST_CASE("validation edge cases", "[spec]") {
  auto err = [](const json &doc) { return error_of(doc.dump()); };
  SECTION("pipes need no major/minor") {
    json d = base();
    d["linux"]["devices"] = {{{"type", "p"}, {"path", "/dev/fifo"}}};
    CHECK(err(d) == "");
  }
  SECTION("a joined user namespace needs no mappings") {
    json d = base();
    d["linux"]["namespaces"].push_back({{"type", "user"}, {"path", "/proc/1/ns/user"}});
    CHECK(err(d) == "");
  }
  SECTION("process is optional (create succeeds, start fails)") {
    json d = base();
    d.erase("process");
    CHECK(err(d) == "");
  }
  SECTION("without a linux section root is optional") {
    CHECK(err(json{{"ociVersion", "1.1.0"}}) == "");
  }
  SECTION("net sysctls are fine with a network namespace") {
    json d = base();
    d["linux"]["namespaces"].push_back({{"type", "network"}});
    d["linux"]["sysctl"] = {{"net/ipv4/ip_forward", "1"}};
    CHECK(err(d) == "");
  }
  SECTION("hostname with a uts namespace") {
    json d = base();
    d["hostname"] = "box";
    d["linux"]["namespaces"].push_back({{"type", "uts"}});
    CHECK(err(d) == "");
  }
  SECTION("soft == hard is fine, uint64 max is fine") {
    json d = base();
    d["process"]["rlimits"] = {
        {{"type", "RLIMIT_NOFILE"}, {"hard", UINT64_MAX}, {"soft", UINT64_MAX}}};
    CHECK(err(d) == "");
  }
  SECTION("ociVersion forms") {
    for (const char *v : {"1.0.0", "1.0.2-dev", "1.3.0", "1.10.4", "1.2.0-rc.1"}) {
      json d = base();
      d["ociVersion"] = v;
      INFO(v);
      CHECK(err(d) == "");
    }
    for (const char *v : {"", "1", "1.0", "0.9.0", "10.0.0", "1.0.0x", "v1.0.0"}) {
      json d = base();
      d["ociVersion"] = v;
      INFO(v);
      CHECK(err(d).find("unsupported version") != std::string::npos);
    }
  }
}

TEST_CASE("load_config reads <bundle>/config.json", "[spec]") {
  fs::path dir = fs::temp_directory_path() / ("hull-spec-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  SECTION("missing file: one clear line") {
    try {
      load_config(dir.string());
      FAIL("no error");
    } catch (const std::system_error &e) {
      CHECK(std::string(e.what()) ==
            "open " + dir.string() + "/config.json: no such file or directory");
      CHECK(e.code().value() == ENOENT);
    }
  }
  SECTION("present file") {
    std::ofstream(dir / "config.json") << default_spec(false).dump();
    Config c = load_config(dir.string());
    CHECK(c.ociVersion == kSpecVersion);
  }
  fs::remove_all(dir);
}

TEST_CASE("capability table", "[spec]") {
  CHECK(capability_number("CAP_CHOWN") == 0);
  CHECK(capability_number("CAP_NET_BIND_SERVICE") == 10);
  CHECK(capability_number("CAP_SYS_ADMIN") == 21);
  CHECK(capability_number("CAP_AUDIT_READ") == 37);
  CHECK(capability_number("CAP_CHECKPOINT_RESTORE") == 40);
  CHECK(capability_number("CAP_NOPE") == -1);
  CHECK(capability_number("chown") == -1);
  const auto &names = all_capability_names();
  REQUIRE(names.size() == 41);
  for (size_t i = 0; i < names.size(); ++i)
    CHECK(capability_number(names[i]) == int(i));
}

TEST_CASE("default spec matches runc spec and parses back", "[spec]") {
  json runc = json::parse(slurp(kConfigs / "good/runc_spec.json"));
  json d = default_spec(false);
  CHECK(d["ociVersion"] == "1.3.0");
  // Same document as runc's apart from the version and the hostname.
  json expected = runc;
  expected["ociVersion"] = "1.3.0";
  expected["hostname"] = "hull";
  CHECK(d == expected);
  Config c = config_from_json(d);
  CHECK(c.process->args == std::vector<std::string>{"sh"});
  CHECK(c.process->terminal);
  CHECK(c.root->readonly);
  bool has_user = std::any_of(c.linux_->namespaces.begin(), c.linux_->namespaces.end(),
                              [](const Namespace &n) { return n.type == "user"; });
  CHECK_FALSE(has_user);
}

TEST_CASE("rootless default spec has a user namespace mapping the caller", "[spec]") {
  json d = default_spec(true);
  Config c = config_from_json(d);
  const Linux &l = *c.linux_;
  auto has = [&](const char *t) {
    return std::any_of(l.namespaces.begin(), l.namespaces.end(),
                       [&](const Namespace &n) { return n.type == t; });
  };
  CHECK(has("user"));
  CHECK_FALSE(has("network"));
  REQUIRE(l.uidMappings.size() == 1);
  CHECK(l.uidMappings[0].hostID == getuid());
  CHECK(l.uidMappings[0].containerID == 0);
  CHECK(l.gidMappings[0].hostID == getgid());
  CHECK_FALSE(l.resources);
  // Same shape as `runc spec --rootless` (mappings depend on the caller).
  json runc = json::parse(slurp(kConfigs / "good/runc_spec_rootless.json"));
  CHECK(d["mounts"] == runc["mounts"]);
  CHECK(d["linux"]["namespaces"] == runc["linux"]["namespaces"]);
  CHECK(d["process"] == runc["process"]);
}

TEST_CASE("features document", "[spec]") {
  json f = features();
  CHECK(f["ociVersionMin"] == "1.0.0");
  CHECK(f["ociVersionMax"] == "1.3.0");
  CHECK(f["hooks"].size() == 6);
  auto opts = f["mountOptions"].get<std::vector<std::string>>();
  for (const char *o : {"bind", "rbind", "ro", "rro", "nosuid", "relatime", "rprivate", "idmap"})
    CHECK(std::find(opts.begin(), opts.end(), o) != opts.end());
  CHECK(f["linux"]["capabilities"].size() == 41);
  auto ns = f["linux"]["namespaces"].get<std::vector<std::string>>();
  CHECK(std::find(ns.begin(), ns.end(), "time") != ns.end());
  CHECK(f["linux"]["cgroup"]["v1"] == true);
  CHECK(f["linux"]["cgroup"]["systemd"] == false);
  CHECK(f["linux"]["cgroup"]["rdma"] == true);
  const json &sc = f["linux"]["seccomp"];
  CHECK(sc["enabled"] == true);
  CHECK(sc["knownFlags"].size() == 4);
  // Every supported value is one the validator accepts.
  for (const auto &a : sc["actions"])
    CHECK(contains(known_seccomp_actions(), a));
  for (const auto &o : sc["operators"])
    CHECK(contains(known_seccomp_operators(), o));
  for (const auto &a : sc["archs"])
    CHECK(contains(known_seccomp_archs(), a));
  for (const auto &fl : sc["supportedFlags"])
    CHECK(contains(known_seccomp_flags(), fl));
  CHECK(f["linux"]["apparmor"]["enabled"] == fs::exists("/sys/kernel/security/apparmor"));
  CHECK(f["linux"]["selinux"]["enabled"] == fs::exists("/sys/fs/selinux/enforce"));
  CHECK(f["linux"]["intelRdt"]["enabled"] == true); // applied through resctrl
  CHECK(f["linux"]["netDevices"]["enabled"] == true);
  CHECK(f["linux"]["memoryPolicy"]["modes"].size() == known_mempolicy_modes().size());
  CHECK(f["linux"]["mountExtensions"]["idmap"]["enabled"] == true);
  CHECK(f["annotations"].contains("run.oci.hull.version"));
}

TEST_CASE("state JSON round-trips", "[spec]") {
  State s;
  s.id = "web";
  s.status = "running";
  s.pid = 4242;
  s.bundle = "/srv/bundles/web";
  s.annotations = {{"a", "1"}};
  json j = state_to_json(s);
  CHECK(j["ociVersion"] == "1.3.0");
  CHECK(j["pid"] == 4242);
  CHECK(j["annotations"]["a"] == "1");
  State back = state_from_json(json::parse(j.dump()));
  CHECK(back.id == s.id);
  CHECK(back.status == s.status);
  CHECK(back.pid == s.pid);
  CHECK(back.bundle == s.bundle);
  CHECK(back.annotations == s.annotations);
  CHECK(back.ociVersion == s.ociVersion);

  SECTION("pid and annotations omitted when unset") {
    State st;
    st.id = "x";
    st.status = "stopped";
    st.bundle = "/b";
    json sj = state_to_json(st);
    CHECK_FALSE(sj.contains("pid"));
    CHECK_FALSE(sj.contains("annotations"));
    State rt = state_from_json(sj);
    CHECK(rt.pid == 0);
    CHECK(rt.annotations.empty());
  }
  SECTION("bad state documents") {
    CHECK_THROWS_WITH(
        state_from_json(json::parse(R"({"ociVersion":"1.3.0","status":"running","bundle":"/b"})")),
        "state: id: missing required field");
    CHECK_THROWS_WITH(state_from_json(json::parse(
                          R"({"ociVersion":"1.3.0","id":"a","status":"dead","bundle":"/b"})")),
                      "state: status: unknown status \"dead\"");
    CHECK_THROWS_WITH(
        state_from_json(json::parse(
            R"({"ociVersion":"1.3.0","id":"a","status":"running","pid":-3,"bundle":"/b"})")),
        "state: pid: expected a process id, got -3");
  }
}
