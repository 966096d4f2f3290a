// config.json -> Config: direct typed reads (no schema engine), errors name
// the JSON path. The linux section is read in parse_linux.cpp.
#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

#include "spec/parse_internal.hpp"
#include "spec/spec.hpp"

namespace hull::spec {
namespace detail {

std::vector<IdMapping> read_idmappings(const json &v, const Path &p) {
  std::vector<IdMapping> out;
  each(v, p, [&](const json &e, const Path &ep) {
    Obj o(e, ep);
    IdMapping m;
    o.req_integer("containerID", m.containerID);
    o.req_integer("hostID", m.hostID);
    o.req_integer("size", m.size);
    out.push_back(m);
  });
  return out;
}

namespace {

Mount read_mount(const Obj &o) {
  Mount m;
  o.req_str("destination", m.destination);
  o.str("source", m.source);
  o.str("type", m.type);
  o.strings("options", m.options);
  o.with("uidMappings",
         [&](const json &v, const Path &p) { m.uidMappings = read_idmappings(v, p); });
  o.with("gidMappings",
         [&](const json &v, const Path &p) { m.gidMappings = read_idmappings(v, p); });
  return m;
}

User read_user(const Obj &o) {
  User u;
  o.req_integer("uid", u.uid);
  o.req_integer("gid", u.gid);
  o.integer("umask", u.umask);
  o.with("additionalGids", [&](const json &v, const Path &p) {
    each(v, p, [&](const json &e, const Path &ep) {
      u.additionalGids.push_back(to_int<uint32_t>(e, ep));
    });
  });
  o.str("username", u.username);
  return u;
}

Capabilities read_capabilities(const Obj &o) {
  Capabilities c;
  o.strings("bounding", c.bounding);
  o.strings("effective", c.effective);
  o.strings("inheritable", c.inheritable);
  o.strings("permitted", c.permitted);
  o.strings("ambient", c.ambient);
  return c;
}

Scheduler read_scheduler(const Obj &o) {
  Scheduler s;
  o.req_str("policy", s.policy);
  o.integer("nice", s.nice);
  o.integer("priority", s.priority);
  o.strings("flags", s.flags);
  o.integer("runtime", s.runtime);
  o.integer("deadline", s.deadline);
  o.integer("period", s.period);
  return s;
}

Process read_process(const Obj &o) {
  Process p;
  o.boolean("terminal", p.terminal);
  o.object("consoleSize", [&](const Obj &c) {
    ConsoleSize cs;
    c.req_integer("height", cs.height);
    c.req_integer("width", cs.width);
    p.consoleSize = cs;
  });
  o.req_str("cwd", p.cwd);
  o.strings("env", p.env);
  o.strings("args", p.args);
  o.str("commandLine", p.commandLine);
  o.objects("rlimits", [&](const Obj &r) {
    Rlimit rl;
    r.req_str("type", rl.type);
    r.req_integer("hard", rl.hard);
    r.req_integer("soft", rl.soft);
    p.rlimits.push_back(rl);
  });
  o.str("apparmorProfile", p.apparmorProfile);
  o.object("capabilities", [&](const Obj &c) { p.capabilities = read_capabilities(c); });
  o.boolean("noNewPrivileges", p.noNewPrivileges);
  o.integer("oomScoreAdj", p.oomScoreAdj);
  o.object("scheduler", [&](const Obj &s) { p.scheduler = read_scheduler(s); });
  o.str("selinuxLabel", p.selinuxLabel);
  o.object("ioPriority", [&](const Obj &io) {
    IoPriority prio;
    io.req_str("class", prio.ioClass);
    // The idle class has no levels: like runc, it needs no priority.
    if (prio.ioClass == "IOPRIO_CLASS_IDLE")
      io.integer("priority", prio.priority);
    else
      io.req_integer("priority", prio.priority);
    p.ioPriority = prio;
  });
  o.object("execCPUAffinity", [&](const Obj &a) {
    ExecCPUAffinity aff;
    a.str("initial", aff.initial);
    a.str("final", aff.final);
    p.execCPUAffinity = aff;
  });
  o.object("user", [&](const Obj &u) { p.user = read_user(u); });
  return p;
}

void read_hook_list(const Obj &o, const char *key, std::vector<Hook> &out) {
  o.objects(key, [&](const Obj &h) {
    Hook hook;
    h.req_str("path", hook.path);
    h.strings("args", hook.args);
    h.strings("env", hook.env);
    h.integer("timeout", hook.timeout);
    out.push_back(std::move(hook));
  });
}

Hooks read_hooks(const Obj &o) {
  Hooks h;
  read_hook_list(o, "prestart", h.prestart);
  read_hook_list(o, "createRuntime", h.createRuntime);
  read_hook_list(o, "createContainer", h.createContainer);
  read_hook_list(o, "startContainer", h.startContainer);
  read_hook_list(o, "poststart", h.poststart);
  read_hook_list(o, "poststop", h.poststop);
  return h;
}

Config read_config(const json &doc) {
  Path root;
  Obj o(doc, root);
  Config c;
  o.req_str("ociVersion", c.ociVersion);
  o.object("root", [&](const Obj &r) {
    Root rt;
    r.req_str("path", rt.path);
    r.boolean("readonly", rt.readonly);
    c.root = rt;
  });
  o.objects("mounts", [&](const Obj &m) { c.mounts.push_back(read_mount(m)); });
  o.object("process", [&](const Obj &p) { c.process = read_process(p); });
  o.str("hostname", c.hostname);
  o.str("domainname", c.domainname);
  o.object("hooks", [&](const Obj &h) { c.hooks = read_hooks(h); });
  o.string_map("annotations", c.annotations);
  o.object("linux", [&](const Obj &l) { c.linux_ = read_linux(l); });
  return c;
}

} // namespace
} // namespace detail

Config config_from_json(const nlohmann::json &doc) {
  Config c = detail::read_config(doc);
  validate(c);
  return c;
}

std::string json_error_text(const nlohmann::json::exception &e) {
  // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
  std::string msg = e.what();
  if (auto pos = msg.find("] "); msg.rfind("[json.exception", 0) == 0 && pos != std::string::npos)
    msg = msg.substr(pos + 2);
  return msg;
}

Config parse_config(const std::string &text) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception &e) {
    // parse_error, and out_of_range for numbers like 1E777777 (found by the fuzzer)
    throw ConfigError("", "invalid JSON: " + json_error_text(e));
  }
  return config_from_json(doc);
}

namespace {
// A file error worded as runc (Go) words errno: "open X: no such file or
// directory" (engines match runc's lowercase words).
class FileError : public std::system_error {
public:
  FileError(int err, const std::string &what)
      : std::system_error(err, std::generic_category(), what) {
    std::string m = code().message();
    if (m.size() > 1 && std::isupper((unsigned char)m[0]) && !std::isupper((unsigned char)m[1]))
      m[0] = char(std::tolower((unsigned char)m[0]));
    text_ = what + ": " + m;
  }
  const char *what() const noexcept override { return text_.c_str(); }

private:
  std::string text_;
};
} // namespace

std::string read_text_file(const std::string &file) {
  // O_NONBLOCK: a FIFO without a writer opens (and then reads as empty)
  // instead of blocking the command forever.
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) throw FileError(errno, "open " + file);
  ::fcntl(fd, F_SETFL, 0); // a pipe with a writer is read to its end
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw FileError(err, "read " + file);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

Config load_config(const std::string &bundle_dir) {
  return parse_config(
      read_text_file((bundle_dir.empty() ? std::string(".") : bundle_dir) + "/config.json"));
}

} // namespace hull::spec
