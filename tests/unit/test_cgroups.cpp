// cgroups: the pure parts (write plans for both layouts, conversions, path
// resolution, parsers, stats documents, the eBPF device program) without root.
#include <catch2/catch.hpp>
#include <map>

#include "cgroups/cmd_support.hpp"
#include "cgroups/devices_bpf.hpp"
#include "cgroups/fs.hpp"
#include "cgroups/plan.hpp"
#include "cgroups/resources_json.hpp"
#include "cgroups/stats.hpp"
#include "util/error.hpp"

using namespace hull;
using namespace hull::cgroups;

namespace {

std::vector<std::string> lines(const Plan &p) {
  std::vector<std::string> out;
  for (const auto &w : p.writes)
    out.push_back((w.controller.empty() ? "" : w.controller + ":") + w.file + "=" + w.value);
  return out;
}

Plan v1(const spec::Resources &r, HostFacts f = {}) {
  return plan_resources(r, Layout::v1, f);
}
Plan v2(const spec::Resources &r, HostFacts f = {}) {
  return plan_resources(r, Layout::v2, f);
}

spec::Resources with_memory(spec::MemoryResources m) {
  spec::Resources r;
  r.memory = m;
  return r;
}
spec::Resources with_cpu(spec::CPUResources c) {
  spec::Resources r;
  r.cpu = c;
  return r;
}

bool has_warning(const Plan &p, const std::string &needle) {
  for (const auto &w : p.warnings)
    if (w.find(needle) != std::string::npos) return true;
  return false;
}

// A tiny interpreter for the instructions compile_device_filter emits.
int run_filter(const std::vector<bpf_insn> &prog, int type, int access, uint32_t major,
               uint32_t minor) {
  uint64_t r[11] = {};
  const uint32_t ctx[3] = {static_cast<uint32_t>(access << 16 | type), major, minor};
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const bpf_insn &i = prog[pc];
    const uint8_t cls = i.code & 0x07, op = i.code & 0xf0, src = i.code & 0x08;
    if (cls == BPF_LDX) {
      REQUIRE((i.code & 0x18) == BPF_W);
      REQUIRE(i.src_reg == 1);
      r[i.dst_reg] = ctx[i.off / 4];
    } else if (cls == BPF_ALU || cls == BPF_ALU64) {
      uint64_t v = src == BPF_X ? r[i.src_reg] : static_cast<uint64_t>(static_cast<int64_t>(i.imm));
      uint64_t &d = r[i.dst_reg];
      if (op == BPF_MOV)
        d = v;
      else if (op == BPF_AND)
        d &= v;
      else if (op == BPF_RSH)
        d >>= v;
      else
        FAIL("unexpected alu op");
      if (cls == BPF_ALU) d &= 0xffffffffu;
    } else if (cls == BPF_JMP) {
      if (op == BPF_EXIT) return static_cast<int>(r[0]);
      const uint64_t v = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
      bool jump = op == BPF_JNE ? r[i.dst_reg] != v : op == BPF_JEQ ? r[i.dst_reg] == v : false;
      REQUIRE((op == BPF_JNE || op == BPF_JEQ));
      if (jump) pc += i.off;
    } else {
      FAIL("unexpected instruction class");
    }
  }
  FAIL("program fell off the end");
  return -1;
}

constexpr int CHR = BPF_DEVCG_DEV_CHAR, BLK = BPF_DEVCG_DEV_BLOCK;
constexpr int R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE, M = BPF_DEVCG_ACC_MKNOD;

spec::DeviceCgroupRule rule(bool allow, std::string type, std::optional<int64_t> major,
                            std::optional<int64_t> minor, std::string access) {
  return {allow, std::move(type), major, minor, std::move(access)};
}

} // namespace

TEST_CASE("cgroups: v1 memory writes every field to its file", "[cgroups]") {
  spec::MemoryResources m;
  m.limit = 64 << 20;
  m.reservation = 32 << 20;
  m.swap = 128 << 20;
  m.kernel = 16 << 20;
  m.kernelTCP = 8 << 20;
  m.swappiness = 10;
  m.disableOOMKiller = true;
  m.useHierarchy = true;
  auto p = v1(with_memory(m));
  CHECK(lines(p) == std::vector<std::string>{
                        "memory:memory.limit_in_bytes=67108864",
                        "memory:memory.memsw.limit_in_bytes=134217728",
                        "memory:memory.soft_limit_in_bytes=33554432",
                        "memory:memory.kmem.limit_in_bytes=16777216",
                        "memory:memory.kmem.tcp.limit_in_bytes=8388608",
                        "memory:memory.swappiness=10",
                        "memory:memory.oom_control=1",
                        "memory:memory.use_hierarchy=1",
                    });
  // kernel memory is deprecated: best effort only
  CHECK(p.writes[3].best_effort);
  CHECK(p.writes[4].best_effort);
  CHECK_FALSE(p.writes[0].best_effort);
}

TEST_CASE("cgroups: v1 memsw goes first when it grows past the current one", "[cgroups]") {
  spec::MemoryResources m;
  m.limit = 300;
  m.swap = 400;
  HostFacts f;
  f.current_memsw = 200;
  CHECK(lines(v1(with_memory(m), f)) ==
        std::vector<std::string>{"memory:memory.memsw.limit_in_bytes=400",
                                 "memory:memory.limit_in_bytes=300"});
  f.current_memsw = 1000; // shrinking: memory first
  CHECK(lines(v1(with_memory(m), f))[0] == "memory:memory.limit_in_bytes=300");
  m.swap = -1; // unlimited swap is always safe first
  CHECK(lines(v1(with_memory(m), f))[0] == "memory:memory.memsw.limit_in_bytes=-1");
}

TEST_CASE("cgroups: v1 memory limit -1 without swap lifts memsw too, as runc", "[cgroups]") {
  spec::MemoryResources m;
  m.limit = -1;
  HostFacts f;
  f.current_memsw = 96468992;
  f.has_memsw = true;
  CHECK(lines(v1(with_memory(m), f)) ==
        std::vector<std::string>{"memory:memory.memsw.limit_in_bytes=-1",
                                 "memory:memory.limit_in_bytes=-1"});
  f.has_memsw = false; // no swap accounting: memsw is not touched
  CHECK(lines(v1(with_memory(m), f)) ==
        std::vector<std::string>{"memory:memory.limit_in_bytes=-1"});
}

TEST_CASE("cgroups: v1 memory+swap below the limit is refused before writing", "[cgroups]") {
  spec::MemoryResources m;
  m.limit = 4096;
  m.swap = 2048;
  REQUIRE_THROWS_WITH(v1(with_memory(m)), Catch::Contains("linux.resources.memory.swap") &&
                                              Catch::Contains("must be >= the memory limit"));
  m.swap = -1;
  CHECK_NOTHROW(v1(with_memory(m)));
}

TEST_CASE("cgroups: swappiness above 100 is refused naming the field", "[cgroups]") {
  spec::MemoryResources m;
  m.swappiness = 101;
  REQUIRE_THROWS_WITH(v1(with_memory(m)), Catch::Contains("linux.resources.memory.swappiness"));
}

TEST_CASE("cgroups: checkBeforeUpdate refuses a limit below usage on update only", "[cgroups]") {
  spec::MemoryResources m;
  m.limit = 1000;
  m.checkBeforeUpdate = true;
  HostFacts f;
  f.current_usage = 5000;
  CHECK_NOTHROW(v2(with_memory(m), f)); // create: not an update
  f.updating = true;
  REQUIRE_THROWS_WITH(v2(with_memory(m), f), Catch::Contains("lower than the current usage 5000"));
  m.checkBeforeUpdate = false;
  CHECK_NOTHROW(v2(with_memory(m), f));
}

TEST_CASE("cgroups: v2 memory conversions", "[cgroups]") {
  spec::MemoryResources m;
  m.limit = 100;
  m.swap = 300;
  m.reservation = 50;
  CHECK(lines(v2(with_memory(m))) ==
        std::vector<std::string>{"memory.swap.max=200", "memory.max=100", "memory.low=50"});
  m.limit = -1;
  m.swap.reset();
  m.reservation.reset();
  CHECK(lines(v2(with_memory(m))) ==
        std::vector<std::string>{"memory.swap.max=max", "memory.max=max"});
  CHECK(v2_swap_value(-1, 100) == "max");
  CHECK(v2_swap_value(std::nullopt, 100) == "");
  CHECK(v2_swap_value(0, 100) == "");
  REQUIRE_THROWS_WITH(v2_swap_value(50, 100), Catch::Contains("must be >= the memory limit"));
  REQUIRE_THROWS_WITH(v2_swap_value(50, std::nullopt), Catch::Contains("needs a memory limit"));
  m = {};
  m.kernel = 1;
  m.swappiness = 5;
  auto p = v2(with_memory(m));
  CHECK(p.writes.empty());
  CHECK(has_warning(p, "memory.kernel"));
  CHECK(has_warning(p, "memory.swappiness"));
}

TEST_CASE("cgroups: v1 cpu and cpuset files", "[cgroups]") {
  spec::CPUResources c;
  c.shares = 512;
  c.period = 100000;
  c.quota = 50000;
  c.burst = 1000;
  c.realtimePeriod = 1000000;
  c.realtimeRuntime = 950000;
  c.idle = 1;
  c.cpus = "0-1";
  c.mems = "0";
  CHECK(lines(v1(with_cpu(c))) == std::vector<std::string>{
                                      "cpuset:cpuset.cpus=0-1",
                                      "cpuset:cpuset.mems=0",
                                      "cpu:cpu.shares=512",
                                      "cpu:cpu.cfs_period_us=100000",
                                      "cpu:cpu.cfs_quota_us=50000",
                                      "cpu:cpu.cfs_burst_us=1000",
                                      "cpu:cpu.rt_period_us=1000000",
                                      "cpu:cpu.rt_runtime_us=950000",
                                      "cpu:cpu.idle=1",
                                  });
}

TEST_CASE("cgroups: v2 cpu conversions", "[cgroups]") {
  spec::CPUResources c;
  c.shares = 1024;
  c.quota = 50000;
  c.period = 200000;
  c.burst = 10;
  c.cpus = "1";
  CHECK(lines(v2(with_cpu(c))) == std::vector<std::string>{"cpuset.cpus=1", "cpu.weight=39",
                                                           "cpu.max=50000 200000",
                                                           "cpu.max.burst=10"});
  c = {};
  c.quota = -1;
  CHECK(lines(v2(with_cpu(c))) == std::vector<std::string>{"cpu.max=max 100000"});
  c = {};
  c.period = 50000;
  CHECK(lines(v2(with_cpu(c))) == std::vector<std::string>{"cpu.max=max 50000"});
  c = {};
  c.realtimeRuntime = 10;
  REQUIRE_THROWS_WITH(v2(with_cpu(c)), Catch::Contains("cpu.realtimeRuntime"));
  c = {};
  c.realtimePeriod = 10;
  REQUIRE_THROWS_WITH(v2(with_cpu(c)), Catch::Contains("cpu.realtimePeriod"));
}

TEST_CASE("cgroups: shares to weight and blkio weight to io.weight as runc", "[cgroups]") {
  CHECK(shares_to_weight(0) == 0);
  CHECK(shares_to_weight(2) == 1);
  CHECK(shares_to_weight(1024) == 39);
  CHECK(shares_to_weight(262144) == 10000);
  CHECK(shares_to_weight(1) == 1);            // clamped, no underflow
  CHECK(shares_to_weight(1u << 30) == 10000); // clamped
  CHECK(blkio_weight_to_io(10) == 1);
  CHECK(blkio_weight_to_io(500) == 4950);
  CHECK(blkio_weight_to_io(1000) == 10000);
}

TEST_CASE("cgroups: pids.max", "[cgroups]") {
  spec::Resources r;
  r.pids = spec::PidsResources{100};
  CHECK(lines(v1(r)) == std::vector<std::string>{"pids:pids.max=100"});
  r.pids->limit = -1;
  CHECK(lines(v2(r)) == std::vector<std::string>{"pids.max=max"});
  r.pids->limit = 0; // unset, as runc treats it
  CHECK(lines(v2(r)).empty());
}

TEST_CASE("cgroups: blockIO weight 0 is unset, as runc takes it (docker sends it)", "[cgroups]") {
  spec::Resources r;
  spec::BlockIOResources b;
  b.weight = 0;
  b.leafWeight = 0;
  r.blockIO = b;
  CHECK(lines(v1(r)).empty());
  CHECK(lines(v2(r)).empty());
}

TEST_CASE("cgroups: zeros docker's update sends for unset fields write nothing", "[cgroups]") {
  spec::Resources r;
  r.memory = spec::MemoryResources{};
  r.memory->limit = 0;
  r.memory->reservation = 0;
  r.memory->swap = 0;
  r.memory->kernel = 0;
  r.memory->kernelTCP = 0;
  r.cpu = spec::CPUResources{};
  r.cpu->shares = 0;
  r.cpu->period = 0;
  r.cpu->quota = 50000;
  r.cpu->realtimePeriod = 0;
  r.cpu->realtimeRuntime = 0;
  CHECK(lines(v1(r)) == std::vector<std::string>{"cpu:cpu.cfs_quota_us=50000"});
}

TEST_CASE("cgroups: blkio v1 and io v2", "[cgroups]") {
  spec::Resources r;
  spec::BlockIOResources b;
  b.weight = 500;
  b.leafWeight = 300;
  b.weightDevice.push_back({8, 0, 400, 200});
  b.throttleReadBpsDevice.push_back({8, 0, 1048576});
  b.throttleWriteBpsDevice.push_back({8, 16, 2048});
  b.throttleReadIOPSDevice.push_back({8, 0, 100});
  b.throttleWriteIOPSDevice.push_back({8, 0, 0});
  r.blockIO = b;
  CHECK(lines(v1(r)) == std::vector<std::string>{
                            "blkio:blkio.weight=500",
                            "blkio:blkio.leaf_weight=300",
                            "blkio:blkio.weight_device=8:0 400",
                            "blkio:blkio.leaf_weight_device=8:0 200",
                            "blkio:blkio.throttle.read_bps_device=8:0 1048576",
                            "blkio:blkio.throttle.write_bps_device=8:16 2048",
                            "blkio:blkio.throttle.read_iops_device=8:0 100",
                            "blkio:blkio.throttle.write_iops_device=8:0 0",
                        });
  auto p = v2(r);
  CHECK(lines(p) == std::vector<std::string>{
                        "io.weight=4950",
                        "io.weight=8:0 3940",
                        "io.max=8:0 rbps=1048576",
                        "io.max=8:16 wbps=2048",
                        "io.max=8:0 riops=100",
                        "io.max=8:0 wiops=max",
                    });
  CHECK(has_warning(p, "leafWeight"));
  HostFacts bfq;
  bfq.bfq_weight = true;
  CHECK(lines(plan_resources(r, Layout::v2, bfq))[0] == "io.bfq.weight=500");
  CHECK(lines(plan_resources(r, Layout::v1, bfq))[0] == "blkio:blkio.bfq.weight=500");
}

TEST_CASE("cgroups: hugetlb goes to the cgroup2 mount on a hybrid host", "[cgroups]") {
  spec::Resources r;
  r.hugepageLimits.push_back({"2MB", 4194304});
  CHECK(lines(v1(r)) == std::vector<std::string>{"hugetlb:hugetlb.2MB.limit_in_bytes=4194304"});
  HostFacts hybrid;
  hybrid.hugetlb_on_v2 = true;
  CHECK(lines(v1(r, hybrid)) == std::vector<std::string>{"unified:hugetlb.2MB.max=4194304"});
  CHECK(lines(v2(r)) == std::vector<std::string>{"hugetlb.2MB.max=4194304"});
  r.hugepageLimits[0].pageSize = "2M";
  REQUIRE_THROWS_WITH(v1(r),
                      Catch::Contains("hugepageLimits[].pageSize") && Catch::Contains("\"2M\""));
}

TEST_CASE("cgroups: network and rdma", "[cgroups]") {
  spec::Resources r;
  r.network = spec::NetworkResources{0x100001, {{"eth0", 5}, {"lo", 1}}};
  r.rdma["mlx5_1"] = {3, 10000};
  r.rdma["mlx4_0"] = {std::nullopt, 7};
  CHECK(lines(v1(r)) == std::vector<std::string>{
                            "net_cls:net_cls.classid=1048577", "net_prio:net_prio.ifpriomap=eth0 5",
                            "net_prio:net_prio.ifpriomap=lo 1", "rdma:rdma.max=mlx4_0 hca_object=7",
                            "rdma:rdma.max=mlx5_1 hca_handle=3 hca_object=10000"});
  auto p = v2(r);
  CHECK(lines(p) == std::vector<std::string>{"rdma.max=mlx4_0 hca_object=7",
                                             "rdma.max=mlx5_1 hca_handle=3 hca_object=10000"});
  CHECK(has_warning(p, "linux.resources.network"));
}

TEST_CASE("cgroups: unified is v2 only", "[cgroups]") {
  spec::Resources r;
  r.unified["memory.high"] = "1000000";
  r.unified["pids.max"] = "7";
  REQUIRE_THROWS_WITH(v1(r), Catch::Contains("linux.resources.unified") &&
                                 Catch::Contains("requires cgroup v2"));
  CHECK(lines(v2(r)) == std::vector<std::string>{"memory.high=1000000", "pids.max=7"});
  r.unified["../escape"] = "1";
  REQUIRE_THROWS_WITH(v2(r), Catch::Contains("not a cgroup file name"));
}

TEST_CASE("cgroups: unified comes after the typed settings it may override", "[cgroups]") {
  spec::Resources r;
  r.pids = spec::PidsResources{5};
  r.unified["pids.max"] = "9";
  CHECK(lines(v2(r)) == std::vector<std::string>{"pids.max=5", "pids.max=9"});
}

TEST_CASE("cgroups: v1 device rules start from deny-all", "[cgroups]") {
  spec::Resources r;
  r.devices = {rule(false, "", std::nullopt, std::nullopt, "rwm"), rule(true, "c", 1, 3, "rw"),
               rule(false, "b", 8, std::nullopt, "m")};
  auto p = v1(r);
  CHECK(lines(p) == std::vector<std::string>{
                        "devices:devices.deny=a",
                        "devices:devices.deny=a",
                        "devices:devices.allow=c 1:3 rw",
                        "devices:devices.deny=b 8:* m",
                    });
  CHECK(p.devices);
  auto q = v2(r);
  CHECK(q.writes.empty());
  CHECK(q.devices);
  CHECK(q.device_rules.size() == 3);
  CHECK(device_rule_text(rule(true, "a", std::nullopt, std::nullopt, "")) == "a");
  CHECK(device_rule_text(rule(true, "c", -1, 5, "")) == "c *:5 rwm");
  CHECK(device_rule_text(rule(true, "a", std::nullopt, std::nullopt, "r")) == "a *:* r");
}

TEST_CASE("cgroups: effective device rules are the config's then runc's defaults", "[cgroups]") {
  spec::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  spec::Device tty;
  tty.type = "c";
  tty.path = "/dev/tty";
  tty.major = 5;
  tty.minor = 0;
  auto rules =
      effective_device_rules({rule(false, "a", std::nullopt, std::nullopt, "rwm")}, {fuse, tty});
  std::vector<std::string> text;
  for (const auto &r : rules)
    text.push_back((r.allow ? "allow " : "deny ") + device_rule_text(r));
  CHECK(text.front() == "deny a");
  for (const char *want :
       {"allow c *:* m", "allow b *:* m", "allow c 1:3 rwm", "allow c 1:5 rwm", "allow c 1:7 rwm",
        "allow c 1:8 rwm", "allow c 1:9 rwm", "allow c 5:2 rwm", "allow c 136:* rwm"})
    CHECK(std::find(text.begin(), text.end(), want) != text.end());
  // linux.devices are not allowed by themselves (runc's dev.bats "device
  // cgroup deny"), and a default for a path they list is dropped
  CHECK(std::find(text.begin(), text.end(), "allow c 10:229 rwm") == text.end());
  CHECK(std::find(text.begin(), text.end(), "allow c 5:0 rwm") == text.end());
}

TEST_CASE("cgroups: eBPF device filter decides like the v1 rules", "[cgroups]") {
  const auto rules =
      effective_device_rules({rule(false, "", std::nullopt, std::nullopt, "rwm"),
                              rule(true, "c", 10, 229, "rw"), rule(false, "c", 1, 9, "w")},
                             {});
  const auto prog = compile_device_filter(rules);
  CHECK(run_filter(prog, CHR, R | W, 1, 3) == 1);    // /dev/null
  CHECK(run_filter(prog, CHR, R, 1, 9) == 1);        // urandom read (default allow comes later)
  CHECK(run_filter(prog, CHR, R, 8, 0) == 0);        // not listed
  CHECK(run_filter(prog, BLK, R, 8, 0) == 0);        // sda
  CHECK(run_filter(prog, BLK, M, 8, 0) == 1);        // mknod of any block device
  CHECK(run_filter(prog, CHR, R | W, 10, 229) == 1); // fuse rw
  CHECK(run_filter(prog, CHR, M, 10, 229) == 1);     // mknod allowed by "c *:* m"
  CHECK(run_filter(prog, CHR, R, 136, 4) == 1);      // /dev/pts/4
  CHECK(run_filter(prog, CHR, R, 137, 4) == 0);

  // last matching rule wins; a deny of one access bit denies requests using it
  const auto p2 = compile_device_filter(
      {rule(true, "a", std::nullopt, std::nullopt, "rwm"), rule(false, "c", 1, 3, "w")});
  CHECK(run_filter(p2, CHR, R, 1, 3) == 1);
  CHECK(run_filter(p2, CHR, W, 1, 3) == 0);
  CHECK(run_filter(p2, CHR, R | W, 1, 3) == 0);
  CHECK(run_filter(p2, BLK, W, 1, 3) == 1);
  // allow with partial access only covers requests inside it
  const auto p3 = compile_device_filter({rule(true, "c", 4, std::nullopt, "r")});
  CHECK(run_filter(p3, CHR, R, 4, 1) == 1);
  CHECK(run_filter(p3, CHR, R | W, 4, 1) == 0);
  CHECK(run_filter(p3, CHR, R, 5, 1) == 0);
  // no rules: deny everything
  const auto p4 = compile_device_filter({});
  CHECK(run_filter(p4, CHR, R, 1, 3) == 0);
  // a catch-all rule ends the program: earlier rules are unreachable and left out
  const auto p5 = compile_device_filter(
      {rule(true, "c", 1, 3, "rwm"), rule(false, "a", std::nullopt, std::nullopt, "rwm")});
  CHECK(run_filter(p5, CHR, R, 1, 3) == 0);
  CHECK(p5.size() < compile_device_filter({rule(true, "c", 1, 3, "rwm")}).size() + 3);
  REQUIRE_THROWS_WITH(compile_device_filter({rule(true, "x", 1, 1, "r")}),
                      Catch::Contains("unknown type"));
  REQUIRE_THROWS_WITH(compile_device_filter({rule(true, "c", 1, 1, "rq")}),
                      Catch::Contains("unknown access"));
}

TEST_CASE("cgroups: cgroupsPath resolution as runc", "[cgroups]") {
  CHECK(clean_cgroup_path("a/../b//c/") == "b/c");
  CHECK(clean_cgroup_path("../../x") == "x");
  CHECK(clean_cgroup_path("/a/./b/../c") == "/a/c");
  CHECK(clean_cgroup_path("") == "");
  // absolute: as given
  CHECK(resolve_path("id", "/abs/y", "/user.slice", Layout::v1) == "/abs/y");
  CHECK(resolve_path("id", "/abs/y", "/user.slice/s", Layout::v2) == "/abs/y");
  // empty: the id, under the caller's cgroup (v1 per hierarchy)
  CHECK(resolve_path("c1", "", "/", Layout::v1) == "/c1");
  CHECK(resolve_path("c1", "", "/process_api/abc", Layout::v1) == "/process_api/abc/c1");
  // relative: under the caller's cgroup; v2 under its parent (no internal processes)
  CHECK(resolve_path("c1", "rel/x", "/process_api/abc", Layout::v1) == "/process_api/abc/rel/x");
  CHECK(resolve_path("c1", "rel/x", "/user.slice/session-1.scope", Layout::v2) ==
        "/user.slice/rel/x");
  CHECK(resolve_path("c1", "rel", "/", Layout::v2) == "/rel");
  CHECK(resolve_path("c1", "../../up", "/a", Layout::v1) == "/a/up");
}

TEST_CASE("cgroups: systemd slice:prefix:name to cgroupfs path", "[cgroups]") {
  CHECK(systemd_cgroup_path("abc", "machine-libpod.slice:libpod:abc") ==
        "/machine.slice/machine-libpod.slice/libpod-abc.scope");
  CHECK(systemd_cgroup_path("abc", "system.slice:docker:abc") == "/system.slice/docker-abc.scope");
  CHECK(systemd_cgroup_path("abc", "") == "/system.slice/hull-abc.scope");
  CHECK(systemd_cgroup_path("abc", ":runc:abc") == "/system.slice/runc-abc.scope");
  REQUIRE_THROWS_WITH(systemd_cgroup_path("abc", "/plain/path"),
                      Catch::Contains("slice:prefix:name"));
}

TEST_CASE("cgroups: mountinfo and /proc/self/cgroup parsing", "[cgroups]") {
  const std::string mi =
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
      "33 31 0:30 / /sys/fs/cgroup/cpu,cpuacct rw shared:5 - cgroup cgroup rw,cpu,cpuacct\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "42 31 0:39 /docker/x /sys/fs/cgroup/memory ro - cgroup cgroup ro,memory\n";
  auto m = parse_cgroup_mounts(mi);
  REQUIRE(m.size() == 5);
  CHECK(m[0].mount_point == "/sys/fs/cgroup/cpu");
  CHECK(m[0].controllers == std::vector<std::string>{"cpu"});
  CHECK(m[1].controllers == std::vector<std::string>{"cpu", "cpuacct"});
  CHECK(m[2].controllers == std::vector<std::string>{"name=systemd"});
  CHECK(m[3].v2);
  CHECK(m[3].controllers.empty());
  CHECK(m[4].root == "/docker/x");
  auto c =
      parse_proc_cgroup("9:name=systemd:/\n4:memory:/process_api/1a\n2:cpu,cpuacct:/x\n0::/\n");
  CHECK(c["memory"] == "/process_api/1a");
  CHECK(c["cpu"] == "/x");
  CHECK(c["cpuacct"] == "/x");
  CHECK(c["name=systemd"] == "/");
  CHECK(c[""] == "/");
}

TEST_CASE("cgroups: v1 stats document", "[cgroups]") {
  std::map<std::string, std::string> files = {
      {"cpuacct/cpuacct.usage", "5000\n"},
      {"cpuacct/cpuacct.usage_percpu", "3000 2000 \n"},
      {"cpuacct/cpuacct.stat", "user 3\nsystem 1\n"},
      {"cpu/cpu.stat", "nr_periods 10\nnr_throttled 2\nthrottled_time 777\n"},
      {"memory/memory.usage_in_bytes", "4096\n"},
      {"memory/memory.limit_in_bytes", "67108864\n"},
      {"memory/memory.max_usage_in_bytes", "8192\n"},
      {"memory/memory.failcnt", "3\n"},
      {"memory/memory.stat", "cache 100\nrss 200\n"},
      {"pids/pids.current", "4\n"},
      {"pids/pids.max", "max\n"},
      {"blkio/blkio.throttle.io_service_bytes_recursive", "8:0 Read 10\n8:0 Write 20\nTotal 30\n"},
      {"unified/hugetlb.2MB.current", "2097152\n"},
      {"unified/hugetlb.2MB.events", "max 1\n"},
      {"cpuset/cpuset.cpus", "0-2,5\n"},
      {"cpuset/cpuset.mems", "0\n"},
      {"cpuset/cpuset.sched_load_balance", "1\n"},
      {"cpuset/cpuset.sched_relax_domain_level", "-1\n"},
  };
  auto reader = [&](const std::string &c, const std::string &f) -> std::optional<std::string> {
    auto it = files.find(c + "/" + f);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
  auto s = stats_v1(reader, {"2MB"}, true, 100);
  CHECK(s["cpuset"]["cpus"] == nlohmann::json({0, 1, 2, 5}));
  CHECK(s["cpuset"]["mems"] == nlohmann::json({0}));
  CHECK(s["cpuset"]["sched_load_balance"] == 1);
  CHECK(s["cpuset"]["sched_relax_domain_level"] == -1);
  CHECK(s["cpuset"]["mem_exclusive"] == 0);
  CHECK(s["cpu"]["usage"]["total"] == 5000);
  CHECK(s["cpu"]["usage"]["percpu"] == nlohmann::json({3000, 2000}));
  CHECK(s["cpu"]["usage"]["user"] == 30000000);
  CHECK(s["cpu"]["usage"]["kernel"] == 10000000);
  CHECK(s["cpu"]["throttling"]["periods"] == 10);
  CHECK(s["cpu"]["throttling"]["throttledPeriods"] == 2);
  CHECK(s["cpu"]["throttling"]["throttledTime"] == 777);
  CHECK(s["memory"]["usage"]["usage"] == 4096);
  CHECK(s["memory"]["usage"]["limit"] == 67108864);
  CHECK(s["memory"]["usage"]["max"] == 8192);
  CHECK(s["memory"]["usage"]["failcnt"] == 3);
  CHECK(s["memory"]["cache"] == 100);
  CHECK(s["memory"]["raw"]["rss"] == 200);
  CHECK(s["pids"]["current"] == 4);
  CHECK_FALSE(s["pids"].contains("limit")); // "max" is omitted like runc's 0
  REQUIRE(s["blkio"]["ioServiceBytesRecursive"].size() == 2);
  CHECK(s["blkio"]["ioServiceBytesRecursive"][1] ==
        nlohmann::json({{"major", 8}, {"op", "Write"}, {"value", 20}}));
  CHECK(s["hugetlb"]["2MB"]["usage"] == 2097152);
  CHECK(s["hugetlb"]["2MB"]["failcnt"] == 1);
  CHECK(s.contains("network_interfaces"));
}

TEST_CASE("cgroups: v2 stats document", "[cgroups]") {
  std::map<std::string, std::string> files = {
      {"cpu.stat", "usage_usec 7\nuser_usec 4\nsystem_usec 3\nnr_periods 1\nnr_throttled 1\n"
                   "throttled_usec 2\n"},
      {"memory.current", "1000\n"},
      {"memory.max", "max\n"},
      {"memory.swap.current", "24\n"},
      {"memory.swap.max", "4096\n"},
      {"memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n"},
      {"memory.stat", "anon 10\nfile 20\n"},
      {"pids.current", "2\n"},
      {"pids.max", "10\n"},
      {"io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n"},
  };
  auto s = stats_v2(
      [&](const std::string &f) -> std::optional<std::string> {
        auto it = files.find(f);
        if (it == files.end()) return std::nullopt;
        return it->second;
      },
      {});
  CHECK(s["cpu"]["usage"]["total"] == 7000);
  CHECK(s["cpu"]["usage"]["user"] == 4000);
  CHECK(s["cpu"]["usage"]["kernel"] == 3000);
  CHECK(s["cpu"]["throttling"]["throttledTime"] == 2000);
  CHECK(s["memory"]["usage"]["usage"] == 1000);
  CHECK(s["memory"]["usage"]["limit"] == UINT64_MAX);
  CHECK(s["memory"]["usage"]["failcnt"] == 5);
  CHECK(s["memory"]["swap"]["usage"] == 1024);
  CHECK(s["memory"]["swap"]["limit"] == 4096);
  CHECK(s["memory"]["cache"] == 20);
  CHECK(s["pids"]["current"] == 2);
  CHECK(s["pids"]["limit"] == 10);
  auto bytes = s["blkio"]["ioServiceBytesRecursive"];
  REQUIRE(bytes.size() == 2); // Read and Write; discards are not reported
  CHECK(bytes[0]["op"] == "Read");
  CHECK(bytes[0]["value"] == 100);
  CHECK(s["blkio"]["ioServicedRecursive"][1]["value"] == 2);
}

TEST_CASE("cgroups: hugepage size names", "[cgroups]") {
  CHECK(hugepage_size_name("hugepages-2048kB") == "2MB");
  CHECK(hugepage_size_name("hugepages-1048576kB") == "1GB");
  CHECK(hugepage_size_name("hugepages-64kB") == "64KB");
  CHECK(hugepage_size_name("other") == "");
}

TEST_CASE("cgroups: update flags and events interval parsing", "[cgroups]") {
  CHECK(parse_bytes("--memory", "1024") == 1024);
  CHECK(parse_bytes("--memory", "64m") == 64 << 20);
  CHECK(parse_bytes("--memory", "64MB") == 64 << 20);
  CHECK(parse_bytes("--memory", "1g") == 1LL << 30);
  CHECK(parse_bytes("--memory", "512KiB") == 512 << 10);
  CHECK(parse_bytes("--memory", "1.5k") == 1536);
  CHECK(parse_bytes("--memory-swap", "-1") == -1);
  REQUIRE_THROWS_WITH(parse_bytes("--memory", "lots"), Catch::Contains("--memory: invalid size"));
  REQUIRE_THROWS_WITH(parse_bytes("--memory", "5x"), Catch::Contains("\"5x\""));
  using namespace std::chrono;
  CHECK(parse_duration("--interval", "5s") == seconds(5));
  CHECK(parse_duration("--interval", "500ms") == milliseconds(500));
  CHECK(parse_duration("--interval", "1m30s") == seconds(90));
  CHECK(parse_duration("--interval", "100us") == microseconds(100));
  REQUIRE_THROWS_WITH(parse_duration("--interval", "5"), Catch::Contains("invalid duration"));
  REQUIRE_THROWS_WITH(parse_duration("--interval", "s"), Catch::Contains("invalid duration"));
}

TEST_CASE("cgroups: ps table keeps the header and the container's pids", "[cgroups]") {
  const std::string out = "UID          PID    PPID  C STIME TTY          TIME CMD\n"
                          "root           1       0  0 18:00 ?        00:00:01 /sbin/init\n"
                          "root        4242       1  0 18:00 ?        00:00:00 sleep 100\n"
                          "root        4243    4242  0 18:00 ?        00:00:00 sh\n";
  CHECK(filter_ps_table(out, {4242, 4243}) ==
        "UID          PID    PPID  C STIME TTY          TIME CMD\n"
        "root        4242       1  0 18:00 ?        00:00:00 sleep 100\n"
        "root        4243    4242  0 18:00 ?        00:00:00 sh\n");
  CHECK(filter_ps_table(out, {}) == "UID          PID    PPID  C STIME TTY          TIME CMD\n");
  REQUIRE_THROWS_WITH(filter_ps_table("USER CMD\nroot x\n", {1}),
                      Catch::Contains("couldn't find PID field"));
}

TEST_CASE("cgroups: update -r parses linux.resources JSON", "[cgroups]") {
  auto r = resources_from_text(
      R"({"memory":{"limit":67108864,"swap":-1},"cpu":{"shares":512,"cpus":"0"},)"
      R"("pids":{"limit":50},"unified":{"memory.high":"1000"}})");
  REQUIRE(r.memory);
  CHECK(*r.memory->limit == 67108864);
  CHECK(*r.memory->swap == -1);
  CHECK(*r.cpu->shares == 512);
  CHECK(r.cpu->cpus == "0");
  CHECK(*r.pids->limit == 50);
  CHECK(r.unified.at("memory.high") == "1000");
  REQUIRE_THROWS_WITH(resources_from_text(R"({"memory":{"limit":"64M"}})"),
                      Catch::Contains("resources.memory.limit") && Catch::Contains("integer"));
  REQUIRE_THROWS_WITH(resources_from_text("{nope"), Catch::Contains("invalid JSON"));
}

TEST_CASE("cgroups: events lines keep runc's field order", "[cgroups]") {
  using hull::cgroups::event_line;
  CHECK(event_line("oom", "c1", nullptr) == R"({"type":"oom","id":"c1"})");
  nlohmann::json data = {
      {"pids", {{"limit", 64}, {"current", 2}}},
      {"memory",
       {{"raw", {{"rss", 1}, {"cache", 2}}},
        {"usage", {{"failcnt", 0}, {"usage", 5}, {"limit", 9}}},
        {"cache", 3}}},
      {"cpu", {{"usage", {{"user", 1}, {"total", 4}}}, {"throttling", nlohmann::json::object()}}},
      {"blkio", {{"ioServiceBytesRecursive", {{{"value", 1}, {"op", "Read"}, {"major", 8}}}}}}};
  CHECK(event_line("stats", "c1", &data) ==
        R"({"type":"stats","id":"c1","data":{"cpu":{"usage":{"total":4,"user":1},)"
        R"("throttling":{}},"memory":{"cache":3,"usage":{"limit":9,"usage":5,"failcnt":0},)"
        R"("raw":{"cache":2,"rss":1}},"pids":{"current":2,"limit":64},)"
        R"("blkio":{"ioServiceBytesRecursive":[{"major":8,"op":"Read","value":1}]}}})");
}

TEST_CASE("cgroups: v1 cpu period is retried after the quota when refused", "[cgroups]") {
  spec::CPUResources c;
  c.period = 10000;
  c.quota = 3000;
  const auto p = v1(with_cpu(c));
  REQUIRE(p.writes.size() == 2);
  CHECK(p.writes[0].file == "cpu.cfs_period_us");
  CHECK(p.writes[0].retry_after_next);
  CHECK(p.writes[1].file == "cpu.cfs_quota_us");
  CHECK_FALSE(p.writes[1].retry_after_next);
  c.quota.reset(); // nothing to write first
  const auto q = v1(with_cpu(c));
  REQUIRE(q.writes.size() == 1);
  CHECK_FALSE(q.writes[0].retry_after_next);
}
