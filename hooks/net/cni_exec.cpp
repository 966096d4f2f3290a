#include "cni_exec.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::net {

CniFailure::CniFailure(std::string p, int c, std::string m, std::string d)
    : plugin(std::move(p)), msg(std::move(m)), details(std::move(d)), code(c) {
  text = "plugin " + plugin + " failed (CNI code " + std::to_string(code) + "): " + msg;
  if (!details.empty()) text += ": " + details;
}

std::vector<std::string> default_cni_path() {
  std::vector<std::string> out;
  const char *e = ::getenv("CNI_PATH");
  std::string s = e && *e ? e : "/usr/lib/cni:/opt/cni/bin";
  std::stringstream ss(s);
  std::string d;
  while (std::getline(ss, d, ':'))
    if (!d.empty()) out.push_back(d);
  return out;
}

std::string find_plugin(const std::string &type, const std::vector<std::string> &path) {
  if (type.empty() || type.find('/') != std::string::npos) return "";
  for (auto &d : path) {
    std::string p = d + "/" + type;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

namespace {

std::string join(const std::vector<std::string> &v, char sep) {
  std::string s;
  for (auto &x : v)
    s += (s.empty() ? "" : std::string(1, sep)) + x;
  return s;
}

// Runs bin with env and input; returns exit status, fills out/err.
int run(const std::string &bin, const std::vector<std::string> &env, const std::string &input,
        std::string &out, std::string &err) {
  int in[2], o[2], e[2];
  if (::pipe2(in, O_CLOEXEC) < 0 || ::pipe2(o, O_CLOEXEC) < 0 || ::pipe2(e, O_CLOEXEC) < 0)
    throw_errno("pipe");
  unique_fd in_r(in[0]), in_w(in[1]), o_r(o[0]), o_w(o[1]), e_r(e[0]), e_w(e[1]);
  std::vector<char *> envp;
  for (auto &s : env)
    envp.push_back(const_cast<char *>(s.c_str()));
  envp.push_back(nullptr);
  char *argv[] = {const_cast<char *>(bin.c_str()), nullptr};
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    ::dup2(in_r.get(), 0);
    ::dup2(o_w.get(), 1);
    ::dup2(e_w.get(), 2);
    ::execve(bin.c_str(), argv, envp.data());
    ::_exit(127);
  }
  in_r.reset();
  o_w.reset();
  e_w.reset();
  size_t off = 0;
  ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  while (o_r || e_r) {
    pollfd p[3] = {{o_r.get(), POLLIN, 0}, {e_r.get(), POLLIN, 0}, {in_w.get(), POLLOUT, 0}};
    if (::poll(p, 3, -1) < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    if (p[2].revents) {
      ssize_t w = ::write(in_w.get(), input.data() + off, input.size() - off);
      if (w > 0) off += size_t(w);
      if (w < 0 || off >= input.size()) in_w.reset();
    }
    for (int i = 0; i < 2; ++i) {
      if (!p[i].revents) continue;
      char buf[8192];
      ssize_t r = ::read(p[i].fd, buf, sizeof buf);
      if (r <= 0) {
        (i == 0 ? o_r : e_r).reset();
        continue;
      }
      (i == 0 ? out : err).append(buf, size_t(r));
    }
  }
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

std::string first_line(std::string s) {
  auto nl = s.find('\n');
  if (nl != std::string::npos) s.resize(nl);
  return s;
}

} // namespace

nlohmann::json exec_plugin(const std::string &type, const CniCall &call,
                           const nlohmann::json &netconf) {
  std::string bin = find_plugin(type, call.path);
  if (bin.empty())
    throw CniFailure(type, 0, "plugin not found in CNI_PATH (" + join(call.path, ':') + ")", "");
  std::vector<std::string> env = {"CNI_COMMAND=" + call.command,
                                  "CNI_CONTAINERID=" + call.container_id,
                                  "CNI_NETNS=" + call.netns,
                                  "CNI_IFNAME=" + call.ifname,
                                  "CNI_ARGS=" + call.args,
                                  "CNI_PATH=" + join(call.path, ':'),
                                  "PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  std::string out, err;
  int rc = run(bin, env, netconf.dump(), out, err);
  nlohmann::json j;
  if (!out.empty()) {
    try {
      j = nlohmann::json::parse(out);
    } catch (const std::exception &) {
      if (rc == 0)
        throw CniFailure(type, 0, "result is not JSON: " + first_line(out), first_line(err));
    }
  }
  if (rc != 0) {
    if (j.is_object() && j.contains("code"))
      throw CniFailure(type, j.value("code", 0), j.value("msg", std::string()),
                       j.value("details", std::string()));
    std::string why = first_line(err.empty() ? out : err);
    throw CniFailure(type, 0, "exit status " + std::to_string(rc) + (why.empty() ? "" : ": " + why),
                     "");
  }
  return j;
}

} // namespace hull::net
