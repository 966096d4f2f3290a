// spec, features
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <sys/stat.h>

#include "cli/commands.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"

namespace hull::cli {

void register_spec_commands(CLI::App &app, Context &ctx) {
  static bool rootless = false;
  static std::string bundle = ".";
  auto *sp = app.add_subcommand("spec", "write a default config.json");
  sp->add_flag("--rootless", rootless, "a config for a rootless container");
  sp->add_option("-b,--bundle", bundle, "bundle directory to write into");
  sp->callback([&ctx] {
    ctx.run = [] {
      std::string path = bundle + "/config.json";
      struct stat st;
      if (::stat(path.c_str(), &st) == 0) throw Error("File " + path + " exists. Remove it first");
      std::ofstream f(path);
      if (!f) throw_errno("write " + path);
      f << spec::default_spec(rootless).dump(2) << "\n";
      return 0;
    };
  });
  auto *ft = app.add_subcommand("features", "print what this runtime implements (JSON)");
  ft->callback([&ctx] {
    ctx.run = [] {
      std::cout << spec::features().dump(4) << "\n";
      return 0;
    };
  });
}

} // namespace hull::cli
