// Pure helpers behind the cgroup commands (update, events, ps): value
// parsing as runc does it and the `ps` table filter.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

namespace hull::cgroups {

// Docker's RAMInBytes: "1024", "64m", "1.5g", "512KiB", "-1"; throws hull::Error naming flag.
int64_t parse_bytes(const std::string &flag, const std::string &text);
// Go durations: "5s", "500ms", "1m30s", "2h", "100us".
std::chrono::nanoseconds parse_duration(const std::string &flag, const std::string &text);
// Keeps the header and the lines of `ps` output whose PID column is in pids
// (like runc ps). Throws when the output has no PID column.
std::string filter_ps_table(const std::string &ps_output, const std::set<int> &pids);

} // namespace hull::cgroups
