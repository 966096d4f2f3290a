#include "cgroups/cmd_support.hpp"

#include <cctype>
#include <cmath>
#include <sstream>
#include <vector>

#include "util/error.hpp"

namespace hull::cgroups {

int64_t parse_bytes(const std::string &flag, const std::string &text) {
  auto bad = [&]() -> int64_t {
    throw Error(flag + ": invalid size \"" + text + "\" (use e.g. 64m, 1g, 1048576)");
  };
  if (text == "-1") return -1;
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return bad();
  double v = 0;
  try {
    v = std::stod(text.substr(0, i));
  } catch (...) {
    return bad();
  }
  std::string unit;
  for (size_t k = i; k < text.size(); ++k)
    if (text[k] != ' ')
      unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[k])));
  if (unit.size() == 3 && unit.substr(1) == "ib") unit = unit.substr(0, 1);
  if (unit.size() == 2 && unit[1] == 'b') unit = unit.substr(0, 1);
  double mult = 1;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "k")
    mult = 1024.0;
  else if (unit == "m")
    mult = 1024.0 * 1024;
  else if (unit == "g")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "t")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "p")
    mult = 1024.0 * 1024 * 1024 * 1024 * 1024;
  else
    return bad();
  const double bytes = v * mult;
  if (bytes > 9.2e18) return bad();
  return static_cast<int64_t>(bytes);
}

std::chrono::nanoseconds parse_duration(const std::string &flag, const std::string &text) {
  auto bad = [&]() -> std::chrono::nanoseconds {
    throw Error(flag + ": invalid duration \"" + text + "\" (use e.g. 5s, 500ms, 1m)");
  };
  if (text.empty()) return bad();
  if (text == "0") return std::chrono::nanoseconds(0);
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.'))
      ++j;
    if (j == i) return bad();
    const double v = std::stod(text.substr(i, j - i));
    size_t k = j;
    while (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k])))
      ++k;
    const std::string u = text.substr(j, k - j);
    double ns;
    if (u == "ns")
      ns = 1;
    else if (u == "us" || u == "µs")
      ns = 1e3;
    else if (u == "ms")
      ns = 1e6;
    else if (u == "s")
      ns = 1e9;
    else if (u == "m")
      ns = 60e9;
    else if (u == "h")
      ns = 3600e9;
    else
      return bad();
    total += v * ns;
    i = k;
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total)));
}

std::string filter_ps_table(const std::string &out, const std::set<int> &pids) {
  std::istringstream in(out);
  std::string header;
  if (!std::getline(in, header)) throw Error("ps: no output");
  std::istringstream h(header);
  std::string col;
  int pid_col = -1, idx = 0;
  while (h >> col) {
    if (col == "PID") pid_col = idx;
    ++idx;
  }
  if (pid_col < 0) throw Error("couldn't find PID field in ps output");
  std::string result = header + "\n";
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string field;
    for (int k = 0; k <= pid_col && (f >> field); ++k) {
    }
    try {
      if (pids.count(std::stoi(field))) result += line + "\n";
    } catch (...) {
    }
  }
  return result;
}

} // namespace hull::cgroups
