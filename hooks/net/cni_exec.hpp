// Executes one CNI plugin binary the way the CNI 1.0 spec describes: the
// CNI_* variables in its environment, the network config on stdin, the
// result (or an error object) on stdout.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hull::net {

struct CniCall {
  std::string command; // ADD, DEL, CHECK, VERSION
  std::string container_id;
  std::string netns; // may be empty for DEL
  std::string ifname = "eth0";
  std::string args;              // CNI_ARGS
  std::vector<std::string> path; // CNI_PATH directories
};

// A plugin failure: its name and the CNI error object's code and message.
struct CniFailure : std::exception {
  std::string plugin, msg, details;
  int code = 0;
  std::string text;
  CniFailure(std::string p, int c, std::string m, std::string d);
  const char *what() const noexcept override { return text.c_str(); }
};

// Where the plugin binary `type` lives in call.path; empty when missing.
std::string find_plugin(const std::string &type, const std::vector<std::string> &path);
// The default plugin search path: $CNI_PATH, else /usr/lib/cni:/opt/cni/bin.
std::vector<std::string> default_cni_path();
// Runs the plugin; returns its stdout parsed (null when empty, as DEL
// prints nothing); throws CniFailure.
nlohmann::json exec_plugin(const std::string &type, const CniCall &call,
                           const nlohmann::json &netconf);

} // namespace hull::net
