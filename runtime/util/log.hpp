// Runtime logging: text or runc-style JSON lines ({"level","msg","time"}) to
// stderr or to the --log file. Configured once by main.
#pragma once

#include <string>

namespace hull::log {

enum class Level { debug, info, warning, error };

// "" or why the log file cannot be opened (errors then go to stderr only).
std::string configure(const std::string &file, bool json, bool debug);
bool debug_enabled();
void write(Level lvl, const std::string &msg);

inline void debug(const std::string &m) {
  if (debug_enabled()) write(Level::debug, m);
}
inline void info(const std::string &m) {
  write(Level::info, m);
}
inline void warn(const std::string &m) {
  write(Level::warning, m);
}
inline void error(const std::string &m) {
  write(Level::error, m);
}

} // namespace hull::log
