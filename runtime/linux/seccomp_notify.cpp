// Handing the seccomp notify fd to linux.seccomp.listenerPath: a unix stream
// connection carrying the runtime-spec "seccomp state" JSON with the fd
// attached as SCM_RIGHTS (runtime-spec config-linux.md, "seccomp state").
#include <nlohmann/json.hpp>

#include "linux/seccomp.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"
#include "util/unix_socket.hpp"

namespace hull::sys {

std::string seccomp_state_json(const spec::Seccomp &sc, const spec::State &state, int init_pid) {
  nlohmann::json j = nlohmann::json::object();
  j["ociVersion"] = state.ociVersion;
  j["fds"] = nlohmann::json::array({"seccompFd"});
  j["pid"] = init_pid;
  j["metadata"] = sc.listenerMetadata;
  j["state"] = spec::state_to_json(state);
  return j.dump();
}

unique_fd connect_seccomp_agent(const std::string &listener_path) {
  try {
    return connect_unix(listener_path, "seccomp listener");
  } catch (Error &e) {
    throw e.context(
        "failed to connect with seccomp agent (linux.seccomp.listenerPath)"); // runc's words
  }
}

void send_to_listener(const spec::Seccomp &sc, int notify_fd, const spec::State &state,
                      int init_pid) {
  const std::string what = "send seccomp fd to listener " + sc.listenerPath;
  if (sc.listenerPath.empty()) throw Error(what + ": linux.seccomp.listenerPath is empty");
  unique_fd sock = connect_seccomp_agent(sc.listenerPath);
  send_with_fd(sock.get(), seccomp_state_json(sc, state, init_pid), notify_fd, what);
}

} // namespace hull::sys
