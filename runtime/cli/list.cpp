// list, and the state document shared with `state`
#include <dirent.h>
#include <iostream>
#include <sys/stat.h>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "spec/config.hpp"
#include "util/passwd.hpp"
#include "util/log.hpp"

namespace hull::cli {

nlohmann::ordered_json state_json(const container::Container &c) {
  const auto &r = c.record();
  std::string st = c.status();
  nlohmann::ordered_json j = {{"ociVersion", spec::kSpecVersion},
                              {"id", r.id},
                              {"pid", st == "stopped" ? 0 : r.pid},
                              {"status", st},
                              {"bundle", r.bundle},
                              {"rootfs", r.rootfs},
                              {"created", r.created},
                              {"owner", r.owner}};
  if (!r.annotations.empty()) j["annotations"] = r.annotations;
  return j;
}

namespace {

std::string owner_name(const std::string &dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) < 0) return "";
  static uid_t last_uid = uid_t(-1); // containers mostly share one owner: read the file once
  static std::string last;
  if (st.st_uid != last_uid) {
    last = util::user_name(st.st_uid).value_or("#" + std::to_string(st.st_uid));
    last_uid = st.st_uid;
  }
  return last;
}

// Columns padded like Go's tabwriter(minwidth 12, padding 3).
void print_table(const std::vector<std::vector<std::string>> &rows) {
  std::vector<size_t> w;
  for (auto &r : rows)
    for (size_t i = 0; i < r.size(); i++) {
      if (w.size() <= i) w.push_back(0);
      w[i] = std::max(w[i], r[i].size());
    }
  for (auto &r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); i++) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(std::max<size_t>(12, w[i] + 3) - r[i].size(), ' ');
    }
    std::cout << line << "\n";
  }
}

} // namespace

void register_list(CLI::App &app, Context &ctx) {
  static std::string format = "table";
  static bool quiet = false;
  auto *list = app.add_subcommand("list", "list containers");
  list->alias("ls");
  list->add_option("-f,--format", format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->add_flag("-q,--quiet", quiet, "print only ids");
  list->callback([&ctx] {
    ctx.run = [&ctx] {
      std::vector<std::string> ids;
      if (DIR *d = ::opendir(ctx.global.root.c_str())) {
        while (dirent *e = ::readdir(d)) {
          std::string n = e->d_name;
          if (n[0] == '.' || n == "seccomp-cache") continue;
          if (container::Container::exists(ctx.global, n)) ids.push_back(n);
        }
        ::closedir(d);
      }
      std::sort(ids.begin(), ids.end());
      nlohmann::ordered_json arr = nlohmann::ordered_json::array();
      std::vector<std::vector<std::string>> rows = {
          {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
      for (auto &id : ids) {
        try {
          auto c = container::Container::load(ctx.global, id);
          if (c.corrupt()) log::warn("container " + id + ": " + c.damaged());
          auto j = state_json(c);
          j["owner"] = owner_name(c.dir());
          if (quiet) {
            std::cout << id << "\n";
            continue;
          }
          arr.push_back(j);
          rows.push_back({id, std::to_string(j["pid"].get<int>()), j["status"], j["bundle"],
                          j["created"], j["owner"]});
        } catch (const std::exception &) {
        }
      }
      if (quiet) return 0;
      if (format == "json")
        std::cout << (arr.empty() ? "null" : arr.dump()) << "\n";
      else
        print_table(rows);
      return 0;
    };
  });
}

} // namespace hull::cli
