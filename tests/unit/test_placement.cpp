// linux.memoryPolicy and process.execCPUAffinity plans (no syscalls).
#include <catch2/catch.hpp>

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

TEST_CASE("memory policy plan: mode, flags, nodemask") {
  spec::MemoryPolicy mp;
  mp.mode = "MPOL_BIND";
  mp.nodes = "0,65";
  mp.flags = {"MPOL_F_STATIC_NODES"};
  auto p = sys::plan_memory_policy(mp);
  CHECK(p.mode == (2 | (1 << 15)));
  REQUIRE(p.nodes.size() == 2);
  CHECK(p.nodes[0] == 1UL);
  CHECK(p.nodes[1] == 2UL);
  CHECK(p.maxnode == 129);
  mp = {};
  mp.mode = "MPOL_DEFAULT";
  p = sys::plan_memory_policy(mp);
  CHECK(p.mode == 0);
  CHECK(p.nodes.empty());
  mp.nodes = "0-7";
  CHECK_THROWS_WITH(sys::plan_memory_policy(mp), Catch::Contains("requires 0 nodes but got 8"));
  const spec::MemoryPolicy unknown{"INTERLEAVE", "0", {}};
  CHECK_THROWS_WITH(sys::plan_memory_policy(unknown),
                    Catch::Contains("invalid memory policy mode"));
  mp.mode = "MPOL_BIND";
  mp.nodes = "0-9876543210";
  CHECK_THROWS_WITH(sys::plan_memory_policy(mp), Catch::Contains("invalid memory policy node"));
  mp.nodes = "0";
  mp.flags = {"badflag"};
  CHECK_THROWS_WITH(sys::plan_memory_policy(mp), Catch::Contains("invalid memory policy flag"));
}
