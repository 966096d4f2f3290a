// linux.memoryPolicy, process.execCPUAffinity, linux.netDevices and
// linux.intelRdt plans (no syscalls).
#include <catch2/catch.hpp>

#include "linux/intel_rdt.hpp"
#include "linux/netdev.hpp"
#include "linux/placement.hpp"
#include "util/error.hpp"

using namespace hull;

TEST_CASE("id lists parse as the kernel writes them") {
  CHECK(sys::parse_id_list("", 10, "f").empty());
  CHECK(sys::parse_id_list("3", 10, "f") == std::vector<unsigned>{3});
  CHECK(sys::parse_id_list("0-2,5,1", 10, "f") == std::vector<unsigned>{0, 1, 2, 5});
  CHECK_THROWS_WITH(sys::parse_id_list("0-11", 10, "f"), Catch::Contains("f: 11 is out of range"));
  CHECK_THROWS_WITH(sys::parse_id_list("2-1", 10, "f"), Catch::Contains("invalid range"));
  CHECK_THROWS_WITH(sys::parse_id_list("1,,2", 10, "f"), Catch::Contains("invalid list"));
  CHECK_THROWS(sys::parse_id_list("0-99999999999999999999999", 10, "f"));
}

namespace {
spec::MemoryPolicy policy(const char *mode, const char *nodes,
                          std::vector<std::string> flags = {}) {
  spec::MemoryPolicy m;
  m.mode = mode;
  m.nodes = nodes;
  m.flags = std::move(flags);
  return m;
}
} // namespace

TEST_CASE("memory policy plan: mode, flags, nodemask") {
  auto p = sys::plan_memory_policy(policy("MPOL_BIND", "0,65", {"MPOL_F_STATIC_NODES"}));
  CHECK(p.mode == (2 | (1 << 15)));
  REQUIRE(p.nodes.size() == 2);
  CHECK(p.nodes[0] == 1UL);
  CHECK(p.nodes[1] == 2UL);
  CHECK(p.maxnode == 129);
  p = sys::plan_memory_policy(policy("MPOL_DEFAULT", ""));
  CHECK(p.mode == 0);
  CHECK(p.nodes.empty());
  CHECK_THROWS_WITH(sys::plan_memory_policy(policy("MPOL_DEFAULT", "0-7")),
                    Catch::Contains("requires 0 nodes but got 8"));
  CHECK_THROWS_WITH(sys::plan_memory_policy(policy("INTERLEAVE", "0")),
                    Catch::Contains("invalid memory policy mode"));
  CHECK_THROWS_WITH(sys::plan_memory_policy(policy("MPOL_BIND", "0-9876543210")),
                    Catch::Contains("invalid memory policy node"));
  CHECK_THROWS_WITH(sys::plan_memory_policy(policy("MPOL_BIND", "0", {"badflag"})),
                    Catch::Contains("invalid memory policy flag"));
}

TEST_CASE("net device moves keep the host name unless renamed") {
  spec::Linux l;
  l.netDevices["eth1"] = {};
  l.netDevices["eth2"] = spec::NetDevice{"ctr2"};
  auto m = sys::plan_net_devices(l);
  REQUIRE(m.size() == 2);
  CHECK((m[0].host_name == "eth1" && m[0].container_name == "eth1"));
  CHECK((m[1].host_name == "eth2" && m[1].container_name == "ctr2"));
}

TEST_CASE("intel RDT plan: own group or closID, schemata, monitoring") {
  spec::IntelRdt r;
  r.l3CacheSchema = "L3:0=ff";
  r.memBwSchema = "MB:0=50";
  r.schemata = {"L2:0=f"};
  auto p = sys::plan_intel_rdt(r, "c1");
  CHECK(p.group == "c1");
  CHECK(p.own_group);
  CHECK(p.schemata == std::vector<std::string>{"L3:0=ff", "MB:0=50", "L2:0=f"});
  CHECK(p.mon_group.empty());
  spec::IntelRdt gold;
  gold.closID = std::string("gold");
  gold.enableMonitoring = true;
  p = sys::plan_intel_rdt(gold, "c1");
  CHECK(p.group == "gold");
  CHECK_FALSE(p.own_group);
  CHECK(p.mon_group == "mon_groups/c1");
}
