#include "util/log.hpp"

#include "util/errno_text.hpp"

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

// Length of the well-formed UTF-8 sequence at s[i] (2 to 4), 0 if none.
size_t utf8_len(const std::string &s, size_t i) {
  auto b = [&](size_t k) { return (unsigned char)s[k]; };
  auto cont = [&](size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  unsigned char c = b(i);
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F)) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) > 0x8F)) return 0;
    return 4;
  }
  return 0;
}

// A message is one line whatever it quotes (an id, a hook's output, a path
// from config.json): control characters and bytes that are not UTF-8 are
// written as \n, \t, \xNN.
std::string one_line(const std::string &msg) {
  std::string out;
  out.reserve(msg.size());
  for (size_t i = 0; i < msg.size();) {
    unsigned char c = (unsigned char)msg[i];
    if (c >= 0x20 && c < 0x7F) {
      out += char(c);
      ++i;
    } else if (c == '\n' || c == '\t' || c == '\r') {
      out += c == '\n' ? "\\n" : c == '\t' ? "\\t" : "\\r";
      ++i;
    } else if (size_t n = c >= 0x80 ? utf8_len(msg, i) : 0) {
      out.append(msg, i, n);
      i += n;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
      ++i;
    }
  }
  return out;
}

std::string format(Level lvl, const std::string &msg, bool json) {
  if (json) {
    nlohmann::json j = {{"level", name(lvl)}, {"msg", msg}, {"time", rfc3339_now()}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (lvl == Level::error) return "hull: " + one_line(msg);
  return std::string("hull[") + name(lvl) + "]: " + one_line(msg);
}

} // namespace

std::string configure(const std::string &file, bool json, bool debug) {
  g_sink.json = json;
  g_sink.debug = debug;
  if (!file.empty()) {
    // O_NONBLOCK: a FIFO without a reader fails (ENXIO) instead of hanging
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0644);
    if (fd < 0) return "open " + file + ": " + errno_text(errno);
    ::fcntl(fd, F_SETFL, O_APPEND);
    g_sink.fd = fd;
  }
  return "";
}

bool debug_enabled() {
  return g_sink.debug;
}

void write(Level lvl, const std::string &msg) {
  if (g_sink.fd >= 0) {
    put(g_sink.fd, format(lvl, msg, g_sink.json));
    // Like runc: with a log file, errors also reach stderr as a plain line.
    if (lvl == Level::error) put(2, one_line(msg));
    return;
  }
  put(2, format(lvl, msg, g_sink.json));
}

} // namespace hull::log
