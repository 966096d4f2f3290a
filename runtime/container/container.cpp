#include "container/container.hpp"

#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.hpp"

namespace hull::container {
namespace {

nlohmann::json record_to_json(const Record &r) {
  return {{"id", r.id},
          {"bundle", r.bundle},
          {"rootfs", r.rootfs},
          {"pid", r.pid},
          {"pid_start", r.pid_start},
          {"created", r.created},
          {"owner", r.owner},
          {"status", r.status},
          {"annotations", r.annotations},
          {"cgroup", r.cgroup},
          {"shared_pid_ns", r.shared_pid_ns}};
}

Record record_from_json(const nlohmann::json &j) {
  Record r;
  r.id = j.value("id", "");
  r.bundle = j.value("bundle", "");
  r.rootfs = j.value("rootfs", "");
  r.pid = j.value("pid", 0);
  r.pid_start = j.value("pid_start", 0ULL);
  r.created = j.value("created", "");
  r.owner = j.value("owner", "");
  r.status = j.value("status", "");
  if (j.contains("annotations") && j["annotations"].is_object())
    r.annotations = j["annotations"].get<std::map<std::string, std::string>>();
  r.cgroup = j.value("cgroup", nlohmann::json());
  r.shared_pid_ns = j.value("shared_pid_ns", false);
  return r;
}

} // namespace

void remove_state_dir(const std::string &dir) {
  for (const char *f : {"exec.fifo", "state.json", "state.json.tmp", "config.json", "lock"})
    ::unlink((dir + "/" + f).c_str());
  if (::rmdir(dir.c_str()) < 0 && errno != ENOENT) throw_errno("remove " + dir);
}

void check_id(const std::string &id) {
  bool okchars = !id.empty() && id.size() <= 1024;
  for (char ch : id)
    okchars &=
        (std::isalnum((unsigned char)ch) || ch == '_' || ch == '+' || ch == '-' || ch == '.');
  if (!okchars || id == "." || id == "..") throw Error("invalid container id format: " + id);
}

unsigned long long pid_start_time(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto rp = s.rfind(')');
  if (rp == std::string::npos) return 0;
  std::istringstream in(s.substr(rp + 2));
  std::string field;
  // fields after "comm": state(3) ... starttime is field 22 -> index 19 here
  for (int i = 3; i <= 22; i++) {
    if (!(in >> field)) return 0;
    if (i == 3 && (field == "Z" || field == "X")) return 0; // zombie: dead for us
  }
  return std::stoull(field);
}

bool Container::exists(const GlobalOptions &g, const std::string &id) {
  struct stat st;
  return ::stat((g.root + "/" + id + "/state.json").c_str(), &st) == 0;
}

Container Container::load(const GlobalOptions &g, const std::string &id) {
  if (id.empty()) throw Error("container id cannot be empty");
  check_id(id);
  std::ifstream f(g.root + "/" + id + "/state.json");
  if (!f) throw Error("container \"" + id + "\" does not exist");
  Container c;
  c.g_ = g;
  try {
    c.rec_ = record_from_json(nlohmann::json::parse(f));
  } catch (const nlohmann::json::exception &e) {
    throw Error("container \"" + id + "\": corrupt state.json: " + e.what());
  }
  return c;
}

std::string Container::dir() const {
  return g_.root + "/" + rec_.id;
}

bool Container::init_alive() const {
  if (rec_.pid <= 0) return false;
  unsigned long long st = pid_start_time(rec_.pid);
  return st != 0 && st == rec_.pid_start;
}

std::string Container::status() const {
  if (rec_.status == "creating") return init_alive() ? "creating" : "stopped";
  if (!init_alive()) return "stopped";
  if (rec_.status == "created") {
    // still waiting on exec.fifo?
    struct stat st;
    if (::stat((dir() + "/exec.fifo").c_str(), &st) == 0) {
      auto m = cgroup();
      if (m && m->frozen()) return "paused";
      return "created";
    }
  }
  auto m = cgroup();
  if (m && m->frozen()) return "paused";
  return "running";
}

spec::State Container::oci_state() const {
  spec::State s;
  s.id = rec_.id;
  s.status = status();
  s.pid = s.status == "stopped" ? 0 : rec_.pid;
  s.bundle = rec_.bundle;
  s.annotations = rec_.annotations;
  return s;
}

std::unique_ptr<cgroups::Manager> Container::cgroup() const {
  if (rec_.cgroup.is_null() || rec_.cgroup.empty()) return nullptr;
  try {
    return cgroups::load_manager(rec_.cgroup);
  } catch (const std::exception &) {
    return nullptr;
  }
}

void Container::save() const {
  std::string path = dir() + "/state.json";
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) throw_errno("write " + tmp);
    f << record_to_json(rec_).dump();
    if (!f.flush()) throw_errno("write " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) < 0) throw_errno("rename " + tmp);
}

unique_fd Container::lock() const {
  std::string path = dir() + "/lock";
  unique_fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) throw_errno("open " + path);
  while (::flock(fd.get(), LOCK_EX) < 0) {
    if (errno != EINTR) throw_errno("lock " + path);
  }
  return fd;
}

} // namespace hull::container

#include "spec/spec.hpp"

namespace hull::container {
spec::Config Container::config() const {
  return spec::load_config(dir());
}
} // namespace hull::container
