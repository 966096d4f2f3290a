#include "util/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

namespace hull::log {
namespace {

struct Sink {
  int fd = -1; // -1: stderr only
  bool json = false;
  bool debug = false;
};
Sink g_sink;

const char *name(Level l) {
  switch (l) {
  case Level::debug:
    return "debug";
  case Level::info:
    return "info";
  case Level::warning:
    return "warning";
  case Level::error:
    return "error";
  }
  return "info";
}

std::string rfc3339_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  long ns = duration_cast<nanoseconds>(now.time_since_epoch()).count() % 1000000000L;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%09ldZ", buf, ns);
  return out;
}

void put(int fd, const std::string &line) {
  std::string s = line + "\n";
  const char *p = s.data();
  size_t n = s.size();
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) return;
    p += w;
    n -= size_t(w);
  }
}

std::string format(Level lvl, const std::string &msg, bool json) {
  if (json) {
    nlohmann::json j = {{"level", name(lvl)}, {"msg", msg}, {"time", rfc3339_now()}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (lvl == Level::error) return "hull: " + msg;
  return std::string("hull[") + name(lvl) + "]: " + msg;
}

} // namespace

void configure(const std::string &file, bool json, bool debug) {
  g_sink.json = json;
  g_sink.debug = debug;
  if (!file.empty()) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) g_sink.fd = fd;
  }
}

bool debug_enabled() {
  return g_sink.debug;
}

void write(Level lvl, const std::string &msg) {
  if (g_sink.fd >= 0) {
    put(g_sink.fd, format(lvl, msg, g_sink.json));
    // Like runc: with a log file, errors also reach stderr as a plain line.
    if (lvl == Level::error) put(2, msg);
    return;
  }
  put(2, format(lvl, msg, g_sink.json));
}

} // namespace hull::log
