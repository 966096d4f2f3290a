#include "container/container.hpp"

#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.hpp"
#include "util/error.hpp"
#include "util/fault.hpp"

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
          {"shared_pid_ns", r.shared_pid_ns},
          {"hooks_ran", r.hooks_ran}};
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
  r.hooks_ran = j.value("hooks_ran", false);
  return r;
}

} // namespace

void remove_state_dir(const std::string &dir) {
  // The record goes last: until it is gone a killed delete can be redone.
  for (const char *f :
       {"exec.fifo", "state.json.tmp", "config.json.tmp", "config.json", "lock", "state.json"}) {
    if (std::string(f) == "state.json") fault::point("delete.record");
    std::string path = dir + "/" + f;
    struct stat st;
    // (a read-only file system fails unlink with EROFS even for what is not there)
    if (::lstat(path.c_str(), &st) < 0 && errno == ENOENT) continue;
    if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw_errno("remove " + path);
  }
  if (::rmdir(dir.c_str()) < 0 && errno != ENOENT) throw_errno("remove " + dir);
}

void check_id(const std::string &id) {
  if (id.empty()) throw Error("container id cannot be empty");
  bool okchars = id.size() <= 1024;
  for (char ch : id)
    okchars &=
        (std::isalnum((unsigned char)ch) || ch == '_' || ch == '+' || ch == '-' || ch == '.');
  if (!okchars || id == "." || id == "..") throw Error("invalid container id format: " + id);
}

unsigned long long pid_start_time(pid_t pid) {
  if (pid <= 0) return 0;
  // read(2), not a stream: a process dying under us fails the read with ESRCH,
  // which libstdc++'s filebuf throws (it made delete -f fail while it killed).
  unique_fd fd(::open(("/proc/" + std::to_string(pid) + "/stat").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return 0;
  char buf[1024];
  ssize_t n;
  do {
    n = ::read(fd.get(), buf, sizeof buf - 1);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return 0; // gone
  std::string s(buf, size_t(n));
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
  return ::stat((g.root + "/" + id).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Container Container::load(const GlobalOptions &g, const std::string &id) {
  if (id.empty()) throw Error("container id cannot be empty");
  check_id(id);
  Container c;
  c.g_ = g;
  c.rec_.id = id;
  if (!exists(g, id)) throw Error("container \"" + id + "\" does not exist");
  c.read_record();
  return c;
}

void Container::read_record() {
  std::string id = rec_.id;
  std::string path = dir() + "/state.json";
  damaged_.clear();
  corrupt_ = false;
  std::ifstream f(path);
  if (!f) {
    struct stat st;
    if (::stat(dir().c_str(), &st) < 0) throw Error("container \"" + id + "\" does not exist");
    rec_ = Record{};
    rec_.id = id;
    rec_.status = "creating";
    damaged_ = path + " is missing";
    return;
  }
  try {
    rec_ = record_from_json(nlohmann::json::parse(f));
    rec_.id = id;
  } catch (const nlohmann::json::exception &e) {
    rec_ = Record{};
    rec_.id = id;
    rec_.status = "stopped";
    corrupt_ = true;
    damaged_ = path + " is corrupt: " + e.what();
  }
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
  if (!damaged_.empty()) return locked_by_other() ? "creating" : "stopped";
  if (rec_.status == "creating") return init_alive() || locked_by_other() ? "creating" : "stopped";
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
  write_file_atomic(dir() + "/state.json", record_to_json(rec_).dump());
}

unique_fd Container::lock(bool reload) {
  unique_fd fd(::open(dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) throw Error("container \"" + rec_.id + "\" does not exist");
    throw_errno("open " + dir());
  }
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) throw_errno("lock " + dir());
  // Deleted while we waited (a new container of the same id is another directory).
  struct stat st;
  if (::fstat(fd.get(), &st) < 0 || st.st_nlink == 0)
    throw Error("container \"" + rec_.id + "\" does not exist");
  if (reload) read_record();
  holds_lock_ = true;
  return fd;
}

bool Container::locked_by_other() const {
  if (holds_lock_) return false;
  unique_fd fd(::open(dir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return false;
  if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return false;
  return errno == EWOULDBLOCK;
}

} // namespace hull::container

#include "spec/spec.hpp"

namespace hull::container {
spec::Config Container::config() const {
  return spec::load_config(dir());
}
} // namespace hull::container
