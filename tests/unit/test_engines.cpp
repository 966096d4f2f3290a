// What engines send and parse: the corpus of real engine configs
// (tests/unit/configs/engines) and runc's error wording.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "spec/spec.hpp"
#include "util/errno_text.hpp"
#include "util/error.hpp"

using namespace hull;

TEST_CASE("errno text is worded as Go/runc words it", "[engines]") {
  // docker turns a failed start into exit 127/126 only on these words
  CHECK(errno_text(ENOENT) == "no such file or directory");
  CHECK(errno_text(EACCES) == "permission denied");
  CHECK(errno_text(EPERM) == "operation not permitted");
  CHECK(Error("exec: \"/x\"", EACCES).what() == std::string("exec: \"/x\": permission denied"));
}

namespace {

namespace fs = std::filesystem;
const fs::path kEngineConfigs = fs::path(HULL_SOURCE_DIR) / "tests/unit/configs/engines";

std::string read_all(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// <engine>-<n>.config.json / <engine>-<n>.process.json, recorded by
// `HULL_CAPTURE=DIR tests/e2e/run.sh` (see tests/unit/configs/engines/README).
std::vector<fs::path> corpus(const std::string &suffix) {
  std::vector<fs::path> out;
  for (const auto &e : fs::directory_iterator(kEngineConfigs)) {
    std::string n = e.path().filename().string();
    if (n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0)
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string engine_of(const fs::path &p) {
  std::string n = p.filename().string();
  return n.substr(0, n.find('-'));
}

} // namespace

TEST_CASE("every config.json an engine really sent parses and validates", "[engines]") {
  auto files = corpus(".config.json");
  std::set<std::string> engines;
  bool typed_filemode = false;
  for (const auto &f : files) {
    INFO("corpus file " << f.filename().string());
    spec::Config c;
    REQUIRE_NOTHROW(c = spec::parse_config(read_all(f)));
    REQUIRE(c.process);
    REQUIRE(c.linux_);
    engines.insert(engine_of(f));
    for (const auto &d : c.linux_->devices)
      typed_filemode |= d.fileMode && (*d.fileMode & 0170000) != 0;
  }
  CHECK(engines == std::set<std::string>{"buildah", "containerd", "docker", "podman"});
  CHECK(typed_filemode); // podman's 0o20666 is in the corpus
}

TEST_CASE("every exec process.json an engine sent parses against its config", "[engines]") {
  auto procs = corpus(".process.json");
  REQUIRE(!procs.empty());
  auto configs = corpus(".config.json");
  for (const auto &p : procs) {
    INFO("corpus file " << p.filename().string());
    auto cfg = std::find_if(configs.begin(), configs.end(),
                            [&](const fs::path &c) { return engine_of(c) == engine_of(p); });
    REQUIRE(cfg != configs.end());
    auto doc = nlohmann::json::parse(read_all(*cfg));
    doc["process"] = nlohmann::json::parse(read_all(p));
    spec::Config c;
    REQUIRE_NOTHROW(c = spec::config_from_json(doc));
    CHECK(!c.process->args.empty());
  }
}
