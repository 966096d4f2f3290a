// runc-compatible stats documents ("data" of `events --stats`), built from
// the cgroup files through a reader so they can be tested without a cgroup.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hull::cgroups {

// v1: (controller, file) -> contents, nullopt when missing.
using ReaderV1 = std::function<std::optional<std::string>(const std::string &controller,
                                                          const std::string &file)>;
// v2: file -> contents.
using ReaderV2 = std::function<std::optional<std::string>(const std::string &file)>;

// hugetlb size names from /sys/kernel/mm/hugepages entries: "hugepages-2048kB" -> "2MB".
std::string hugepage_size_name(const std::string &dir_entry);
std::vector<std::string> host_hugepage_sizes();

// "key value" lines -> map (values that are not numbers are skipped).
std::map<std::string, uint64_t> parse_flat_keyed(const std::string &text);

nlohmann::json stats_v1(const ReaderV1 &read, const std::vector<std::string> &hugepage_sizes,
                        bool hugetlb_on_v2, long clock_ticks);
nlohmann::json stats_v2(const ReaderV2 &read, const std::vector<std::string> &hugepage_sizes);

// One `events` line as runc prints it: {"type":...,"id":...,"data":...} with
// the keys of every object in the order of runc's Go structs (objects runc
// fills from a map, like memory.raw, stay sorted). DATA may be null (oom).
std::string event_line(const std::string &type, const std::string &id, const nlohmann::json *data);

} // namespace hull::cgroups
