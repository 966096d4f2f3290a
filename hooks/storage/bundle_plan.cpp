#include "storage/bundle_plan.hpp"

#include <cctype>
#include <sstream>

#include "util/error.hpp"

namespace hull::storage {

using nlohmann::json;

namespace {

bool valid_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

bool all_digits(const std::string &s) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return std::stoull(s) <= 0xffffffffull;
}

std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep))
    out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

// Finds `name` (or numeric id) in a passwd/group style file; returns fields.
std::vector<std::string> find_line(const std::string &text, const std::string &name,
                                   size_t id_field) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');
    if (f.size() <= id_field) continue;
    if (f[0] == name) return f;
  }
  return {};
}

void check_dest(const std::string &flag, const std::string &dest) {
  if (dest.empty() || dest[0] != '/')
    throw Error(flag + ": container path \"" + dest + "\" must be absolute");
  for (const auto &c : split(dest, '/'))
    if (c == "..") throw Error(flag + ": container path \"" + dest + "\" contains \"..\"");
}

std::string str_field(const json &o, const char *key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

} // namespace

ImageRef parse_ref(const std::string &s) {
  if (s.empty()) throw Error("image name is empty");
  for (char c : s)
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      throw Error("image name \"" + s + "\": contains whitespace");
  ImageRef r;
  size_t colon = s.rfind(':');
  size_t slash = s.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    r.name = s.substr(0, colon);
    r.tag = s.substr(colon + 1);
  } else {
    r.name = s;
    r.tag = "latest";
  }
  if (r.name.empty() || r.tag.empty()) throw Error("image name \"" + s + "\": empty name or tag");
  return r;
}

void check_volume_name(const std::string &name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0])))
    throw Error("volume name \"" + name + "\": must start with a letter or digit");
  for (char c : name)
    if (!valid_name_char(c))
      throw Error("volume name \"" + name + "\": only letters, digits, '_', '.', '-' allowed");
}

MountReq parse_mount(MountKind kind, const std::string &arg) {
  static const char *flags[] = {"--volume", "--bind", "--tmpfs", "--overlay"};
  const std::string flag = flags[static_cast<int>(kind)];
  MountReq m{kind, "", "", false};
  if (kind == MountKind::Tmpfs) {
    m.dest = arg;
    check_dest(flag, m.dest);
    return m;
  }
  auto parts = split(arg, ':');
  if (parts.size() < 2 || parts.size() > 3)
    throw Error(flag + " \"" + arg + "\": expected SOURCE:/path" +
                (kind == MountKind::Overlay ? "" : "[:ro]"));
  m.source = parts[0];
  m.dest = parts[1];
  if (parts.size() == 3) {
    if (kind == MountKind::Overlay) throw Error(flag + " \"" + arg + "\": takes no options");
    if (parts[2] == "ro")
      m.readonly = true;
    else if (parts[2] != "rw")
      throw Error(flag + " \"" + arg + "\": unknown option \"" + parts[2] + "\" (ro or rw)");
  }
  if (kind == MountKind::Volume)
    check_volume_name(m.source);
  else if (m.source.empty() || m.source[0] != '/')
    throw Error(flag + " \"" + arg + "\": host path must be absolute");
  check_dest(flag, m.dest);
  return m;
}

UserIds resolve_user(const std::string &user, const std::string &passwd, const std::string &group) {
  UserIds ids;
  if (user.empty()) return ids;
  auto colon = user.find(':');
  std::string u = user.substr(0, colon);
  std::string g = colon == std::string::npos ? "" : user.substr(colon + 1);
  std::string uname;
  if (all_digits(u)) {
    ids.uid = static_cast<uint32_t>(std::stoul(u));
  } else {
    auto f = find_line(passwd, u, 3);
    if (f.empty() || !all_digits(f[2]) || !all_digits(f[3]))
      throw Error("image config User \"" + user + "\": no user \"" + u + "\" in /etc/passwd");
    ids.uid = static_cast<uint32_t>(std::stoul(f[2]));
    ids.gid = static_cast<uint32_t>(std::stoul(f[3]));
    uname = u;
  }
  if (!g.empty()) {
    if (all_digits(g)) {
      ids.gid = static_cast<uint32_t>(std::stoul(g));
    } else {
      auto f = find_line(group, g, 2);
      if (f.empty() || !all_digits(f[2]))
        throw Error("image config User \"" + user + "\": no group \"" + g + "\" in /etc/group");
      ids.gid = static_cast<uint32_t>(std::stoul(f[2]));
    }
  } else if (!uname.empty()) {
    // supplementary groups naming the user (like the engines do)
    std::istringstream in(group);
    std::string line;
    while (std::getline(in, line)) {
      auto f = split(line, ':');
      if (f.size() < 4 || !all_digits(f[2])) continue;
      for (const auto &m : split(f[3], ','))
        if (m == uname && std::stoul(f[2]) != ids.gid)
          ids.additional.push_back(static_cast<uint32_t>(std::stoul(f[2])));
    }
  }
  return ids;
}

json bundle_config(const BundleInputs &in) {
  json c = in.base;
  json ic = json::object();
  if (auto it = in.image_config.find("config"); it != in.image_config.end() && it->is_object())
    ic = *it;
  auto strings = [&](const char *key) {
    std::vector<std::string> v;
    if (ic.contains(key) && ic[key].is_array())
      for (const auto &s : ic[key])
        if (s.is_string()) v.push_back(s.get<std::string>());
    return v;
  };
  std::vector<std::string> args = strings("Entrypoint");
  const std::vector<std::string> cmd = in.args.empty() ? strings("Cmd") : in.args;
  args.insert(args.end(), cmd.begin(), cmd.end());
  if (args.empty())
    throw Error("image " + in.image_ref +
                " has no Entrypoint or Cmd: give a command after the directory");
  c["process"]["args"] = args;
  c["process"]["terminal"] = in.terminal;

  json env = c["process"]["env"];
  for (const auto &kv : strings("Env")) {
    const std::string key = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (auto &e : env)
      if (e.get<std::string>().substr(0, e.get<std::string>().find('=')) == key) {
        e = kv;
        replaced = true;
      }
    if (!replaced) env.push_back(kv);
  }
  c["process"]["env"] = env;
  std::string wd = str_field(ic, "WorkingDir");
  c["process"]["cwd"] = wd.empty() ? "/" : wd;
  c["process"]["user"] = {{"uid", in.user.uid}, {"gid", in.user.gid}};
  if (!in.user.additional.empty()) c["process"]["user"]["additionalGids"] = in.user.additional;

  c["root"] = {{"path", "rootfs"}, {"readonly", false}};
  json ann = json::object();
  if (ic.contains("Labels") && ic["Labels"].is_object())
    for (auto it = ic["Labels"].begin(); it != ic["Labels"].end(); ++it)
      if (it.value().is_string()) ann[it.key()] = it.value();
  std::string stop = str_field(ic, "StopSignal");
  if (!stop.empty()) ann["org.opencontainers.image.stopSignal"] = stop;
  if (!in.image_ref.empty()) ann["org.opencontainers.image.ref.name"] = in.image_ref;
  if (!ann.empty()) c["annotations"] = ann;
  for (const auto &m : in.mounts)
    c["mounts"].push_back(m);
  return c;
}

} // namespace hull::storage
