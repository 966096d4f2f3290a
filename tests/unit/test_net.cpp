#include <catch2/catch.hpp>
#include <fstream>
#include <unistd.h>

#include "../../hooks/net/attach.hpp"
#include "../../hooks/net/network.hpp"
#include "../../hooks/net/ops.hpp"
#include "../../hooks/net/store.hpp"
#include "util/error.hpp"

using namespace hull::net;
using nlohmann::json;

TEST_CASE("net: a free /24 avoids host routes and other networks") {
  Ipv4Net def{0, 0}, lan, podman, taken;
  REQUIRE(parse_cidr("192.0.2.0/24", lan));
  REQUIRE(parse_cidr("10.88.0.0/16", podman));
  REQUIRE(parse_cidr("10.77.0.0/24", taken));
  CHECK(cidr_text(pick_subnet({def, lan, podman})) == "10.77.0.0/24");
  CHECK(cidr_text(pick_subnet({def, taken})) == "10.77.1.0/24");
  Ipv4Net wide;
  REQUIRE(parse_cidr("10.0.0.0/8", wide));
  CHECK_THROWS_AS(pick_subnet({wide}), hull::Error);
  Ipv4Net bad;
  CHECK_FALSE(parse_cidr("10.1.2.3", bad));
  CHECK_FALSE(parse_cidr("10.1.2.3/33", bad));
}

TEST_CASE("net: the default conflist: bridge without masquerade, portmap, firewall") {
  Ipv4Net s;
  REQUIRE(parse_cidr("10.77.3.0/24", s));
  json j = bridge_conflist("hull0", "hull0", s);
  Network n = network_from_json(j, "x");
  REQUIRE(n.plugins.size() == 3);
  CHECK(n.plugins[0]["ipMasq"] == false);
  CHECK(n.plugins[0]["ipam"]["ranges"][0][0]["gateway"] == "10.77.3.1");
  CHECK(n.plugins[1]["type"] == "portmap");
  CHECK(n.plugins[2]["ingressPolicy"] == "same-bridge");
  CHECK(bridge_name("a-very-long-network-name").size() <= 15);
}

TEST_CASE("net: conflist validation names the field") {
  CHECK_THROWS_WITH(network_from_json(json{{"cniVersion", "1.0.0"}}, "f"),
                    "f: name: required string");
  CHECK_THROWS_WITH(
      network_from_json(json{{"name", "n"}, {"cniVersion", "1.0.0"}, {"plugins", json::array()}},
                        "f"),
      "f: plugins: a non-empty array is required");
  CHECK_THROWS_WITH(
      network_from_json(json{{"name", "n"}, {"cniVersion", "1.0.0"}, {"plugins", {{{"x", 1}}}}},
                        "f"),
      "f: plugins[0].type: required string");
}

TEST_CASE("net: plugin config carries name, version, prevResult and only declared capabilities") {
  Network n =
      network_from_json(json{{"name", "n"},
                             {"cniVersion", "1.0.0"},
                             {"plugins",
                              {{{"type", "bridge"}},
                               {{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}}}}},
                        "f");
  json rc = {{"portMappings", {{{"hostPort", 80}}}}, {"ips", {"10.0.0.5"}}};
  json c0 = plugin_config(n, 0, json(), rc);
  CHECK(c0["name"] == "n");
  CHECK_FALSE(c0.contains("prevResult"));
  CHECK_FALSE(c0.contains("runtimeConfig"));
  json c1 = plugin_config(n, 1, json{{"ips", json::array()}}, rc);
  CHECK(c1.contains("prevResult"));
  CHECK(c1["runtimeConfig"] == json{{"portMappings", {{{"hostPort", 80}}}}});
}

TEST_CASE("net: --publish") {
  CHECK(parse_publish("8080:80") ==
        json{{"hostPort", 8080}, {"containerPort", 80}, {"protocol", "tcp"}});
  CHECK(parse_publish("127.0.0.1:53:5353/udp") == json{{"hostPort", 53},
                                                       {"containerPort", 5353},
                                                       {"protocol", "udp"},
                                                       {"hostIP", "127.0.0.1"}});
  CHECK_THROWS_WITH(parse_publish("80"), Catch::Contains("wrong number of fields"));
  CHECK_THROWS_WITH(parse_publish("70000:80"), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(parse_publish("1:2/sctp"), Catch::Contains("tcp or udp"));
  CHECK_THROWS_WITH(parse_publish("x.y:1:2"), Catch::Contains("not an IPv4 address"));
}

TEST_CASE("net: hosts file from the cached results, sorted, without address-less entries") {
  Attachment a, b, c;
  a.id = "id-a";
  a.name = "web";
  a.result = {{"ips", {{{"address", "10.77.0.3/24"}}}}};
  b.id = "id-b";
  b.result = {{"ips", {{{"address", "fd00::2/64"}}, {{"address", "10.77.0.4/24"}}}}};
  c.id = "id-c";
  std::string h = render_hosts({a, b, c});
  CHECK(h == "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
             "10.77.0.4\tid-b\n10.77.0.3\tweb\n");
}

TEST_CASE("net: attach edits config.json idempotently, as an engine would") {
  AttachPlan p;
  p.self = "/usr/bin/hull-net";
  p.args.network = "hull0";
  p.args.name = "web";
  p.args.port_mappings.push_back(parse_publish("8080:80"));
  p.hosts_file = "/h";
  p.resolv_file = "/r";
  p.hostname_file = "/n";
  nlohmann::ordered_json cfg = {{"ociVersion", "1.3.0"},
                                {"linux", {{"namespaces", {{{"type", "pid"}}}}}},
                                {"hooks", {{"poststop", {{{"path", "/bin/other"}}}}}}};
  auto once = attach_config(cfg, p);
  auto twice = attach_config(once, p);
  CHECK(once == twice);
  CHECK(once["hooks"]["createRuntime"].size() == 1);
  CHECK(once["hooks"]["poststop"].size() == 2); // the user's hook is kept, ours last
  CHECK(once["hooks"]["createRuntime"][0]["args"][2] == "add");
  CHECK(once["hostname"] == "web");
  CHECK(once["linux"]["namespaces"].size() == 3); // + network, uts
  CHECK(once["mounts"].size() == 3);
  CHECK(container_resolv_conf("nameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch x\n") ==
        "nameserver 192.0.2.1\nsearch x\n");
  CHECK_THROWS(check_name("bad name"));
}

TEST_CASE("net: the installed hull0 template is the built-in default network") {
  std::ifstream f(HULL_SOURCE_DIR "/hooks/net/hull0.conflist.template");
  REQUIRE(f);
  json tmpl = json::parse(f);
  Ipv4Net s;
  REQUIRE(parse_cidr("10.77.5.0/24", s));
  CHECK(fill_template(tmpl, s) == bridge_conflist("hull0", "hull0", s));
  CHECK(fill_template(json{{"a", {{{"subnet", "auto"}, {"gateway", "auto"}, {"x", "auto"}}}}}, s) ==
        json{{"a", {{{"subnet", "10.77.5.0/24"}, {"gateway", "10.77.5.1"}, {"x", "auto"}}}}});
}

TEST_CASE("net: a network is written from its template beside the conflists when there is one") {
  char d[] = "/tmp/hull-net-tmpl.XXXXXX";
  REQUIRE(::mkdtemp(d));
  std::string dir = d;
  json tmpl = bridge_conflist("hull0", "hull0", {0, 24});
  tmpl["plugins"][0]["ipMasq"] = true; // the admin's edit
  tmpl["plugins"][0]["ipam"]["ranges"][0][0] = {{"subnet", "auto"}, {"gateway", "auto"}};
  std::ofstream(dir + "/hull0.conflist.template") << tmpl.dump();
  Network n = ensure_network(dir, "hull0", true);
  CHECK(n.file == dir + "/hull0.conflist");
  CHECK(n.plugins[0]["ipMasq"] == true);
  Ipv4Net got;
  CHECK(parse_cidr(n.plugins[0]["ipam"]["ranges"][0][0]["subnet"], got));
  CHECK(load_network(dir, "hull0").plugins == n.plugins); // recorded
  // a template for another name is refused, nothing written
  std::ofstream(dir + "/other.conflist.template") << tmpl.dump();
  CHECK_THROWS_WITH(ensure_network(dir, "other", true),
                    dir + "/other.conflist.template: name: must be \"other\"");
  CHECK(::access((dir + "/other.conflist").c_str(), F_OK) != 0);
  for (const char *f : {"/hull0.conflist", "/hull0.conflist.template", "/other.conflist.template"})
    ::unlink((dir + f).c_str());
  ::rmdir(d);
}
