#include "store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace hull::net {

void mkdir_p(const std::string &path, mode_t mode) {
  std::string cur;
  std::stringstream ss(path);
  std::string part;
  if (!path.empty() && path[0] == '/') cur = "";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    cur += "/" + part;
    if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST) throw_errno("mkdir " + cur);
  }
}

nlohmann::json to_json(const Attachment &a) {
  return {{"id", a.id},        {"network", a.network},
          {"name", a.name},    {"ifname", a.ifname},
          {"netns", a.netns},  {"pid", a.pid},
          {"ip", a.ip},        {"portMappings", a.port_mappings},
          {"result", a.result}};
}

Attachment attachment_from_json(const nlohmann::json &j) {
  Attachment a;
  a.id = j.value("id", "");
  a.network = j.value("network", "");
  a.name = j.value("name", "");
  a.ifname = j.value("ifname", "eth0");
  a.netns = j.value("netns", "");
  a.pid = j.value("pid", 0);
  a.ip = j.value("ip", "");
  if (j.contains("portMappings")) a.port_mappings = j["portMappings"];
  if (j.contains("result")) a.result = j["result"];
  return a;
}

std::string result_ipv4(const nlohmann::json &result) {
  if (!result.is_object() || !result.contains("ips")) return "";
  for (auto &ip : result["ips"]) {
    std::string addr = ip.value("address", "");
    auto slash = addr.find('/');
    std::string a = addr.substr(0, slash);
    if (a.find('.') != std::string::npos) return a;
  }
  return "";
}

std::string render_hosts(const std::vector<Attachment> &on_network) {
  std::string s = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (auto &a : on_network) {
    std::string ip = result_ipv4(a.result);
    if (ip.empty()) continue;
    rows.emplace_back(a.name.empty() ? a.id : a.name, ip);
  }
  std::sort(rows.begin(), rows.end());
  for (auto &[name, ip] : rows)
    s += ip + "\t" + name + "\n";
  return s;
}

Store::Store(std::string root) : root_(std::move(root)) {}

unique_fd Store::lock() const {
  mkdir_p(root_, 0700);
  std::string p = root_ + "/lock";
  unique_fd fd(::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) throw_errno("open " + p);
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) throw_errno("lock " + p);
  return fd;
}

std::string Store::record_path(const std::string &network, const std::string &id) const {
  return root_ + "/containers/" + network + "/" + id + ".json";
}

std::string Store::hosts_path(const std::string &network) const {
  return root_ + "/networks/" + network + "/hosts";
}

bool Store::load(const std::string &network, const std::string &id, Attachment &out) const {
  std::ifstream f(record_path(network, id));
  if (!f) return false;
  try {
    out = attachment_from_json(nlohmann::json::parse(f));
    return true;
  } catch (const std::exception &) {
    return false;
  }
}

void Store::save(const Attachment &a) const {
  mkdir_p(root_ + "/containers/" + a.network, 0700);
  write_file_atomic(record_path(a.network, a.id), to_json(a).dump(2) + "\n", 0644);
}

void Store::erase(const std::string &network, const std::string &id) const {
  std::string p = record_path(network, id);
  if (::unlink(p.c_str()) < 0 && errno != ENOENT) throw_errno("remove " + p);
}

std::vector<Attachment> Store::all(const std::string &network) const {
  std::vector<Attachment> out;
  std::vector<std::string> nets;
  if (!network.empty()) {
    nets.push_back(network);
  } else if (DIR *d = ::opendir((root_ + "/containers").c_str())) {
    while (dirent *e = ::readdir(d))
      if (e->d_name[0] != '.') nets.push_back(e->d_name);
    ::closedir(d);
  }
  for (auto &n : nets) {
    DIR *d = ::opendir((root_ + "/containers/" + n).c_str());
    if (!d) continue;
    std::vector<std::string> ids;
    while (dirent *e = ::readdir(d)) {
      std::string f = e->d_name;
      if (f.size() > 5 && f.compare(f.size() - 5, 5, ".json") == 0)
        ids.push_back(f.substr(0, f.size() - 5));
    }
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    for (auto &id : ids) {
      Attachment a;
      if (load(n, id, a)) out.push_back(a);
    }
  }
  return out;
}

void Store::write_hosts(const std::string &network) const {
  std::string p = hosts_path(network);
  mkdir_p(root_ + "/networks/" + network, 0755);
  std::string text = render_hosts(all(network));
  unique_fd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) throw_errno("open " + p);
  size_t off = 0;
  while (off < text.size()) {
    ssize_t w = ::pwrite(fd.get(), text.data() + off, text.size() - off, off_t(off));
    if (w < 0) throw_errno("write " + p);
    off += size_t(w);
  }
  if (::ftruncate(fd.get(), off_t(text.size())) < 0) throw_errno("truncate " + p);
}

} // namespace hull::net
