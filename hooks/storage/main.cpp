// hull-storage: images, overlay bundles and volumes for hull. CLI11 wiring only.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "storage/bundles.hpp"
#include "storage/images.hpp"
#include "storage/overlay_hook.hpp"
#include "storage/store.hpp"

using namespace hull::storage;

int main(int argc, char **argv) {
  CLI::App app{"hull-storage: OCI images, overlay bundles and volumes for hull", "hull-storage"};
  app.require_subcommand(1);
  std::string root = "/var/lib/hull/storage";
  if (const char *e = std::getenv("HULL_STORAGE")) root = e;
  app.add_option("--storage", root, "store directory (env HULL_STORAGE)")->capture_default_str();
  std::function<void(const Store &)> run;

  auto *image = app.add_subcommand("image", "import, list and remove images");
  image->require_subcommand(1);
  ImportOptions io;
  std::string path, ref;
  bool quiet = false;
  auto *imp = image->add_subcommand("import",
                                    "import an OCI layout (dir or archive) or docker save archive");
  imp->add_option("PATH", path, "image directory or archive")->required();
  imp->add_option("--name", io.name, "NAME[:TAG] to give it (default: from the archive)");
  imp->add_flag("--allow-devices", io.allow_devices, "accept device nodes in layers");
  imp->callback([&] {
    run = [&](const Store &s) { std::printf("%s\n", import_image(s, path, io).c_str()); };
  });
  auto *ils = image->add_subcommand("ls", "list images");
  ils->add_flag("-q,--quiet", quiet, "references only");
  ils->callback([&] { run = [&](const Store &s) { list_images(s, quiet); }; });
  auto *irm = image->add_subcommand("rm", "remove an image (refused while a bundle uses it)");
  irm->add_option("IMAGE", ref, "NAME[:TAG] or id")->required();
  irm->callback([&] { run = [&](const Store &s) { remove_image(s, ref); }; });
  image->add_subcommand("prune", "remove untagged images and unused layers")->callback([&] {
    run = [&](const Store &s) { prune_images(s); };
  });

  auto *bundle = app.add_subcommand("bundle", "make and remove bundles from images");
  bundle->require_subcommand(1);
  BundleOptions bo;
  std::vector<std::string> vols, binds, tmpfs, overlays;
  auto *bc = bundle->add_subcommand(
      "create", "overlay rootfs + config.json from an image; after \"--\": the command");
  bc->add_option("--image", bo.image, "NAME[:TAG]")->required();
  bc->add_option("DIR", bo.dir, "bundle directory (must not exist)")->required();
  bc->add_option("--volume", vols, "NAME:/path[:ro] named volume (created on first use)");
  bc->add_option("--bind", binds, "HOST:/path[:ro] bind mount");
  bc->add_option("--tmpfs", tmpfs, "/path tmpfs mount");
  bc->add_option("--overlay", overlays, "HOST:/path scratch copy of a host directory");
  bc->add_flag("-t,--tty", bo.terminal, "process.terminal = true");
  bc->callback([&] {
    run = [&](const Store &s) {
      for (auto &v : vols)
        bo.mounts.push_back(parse_mount(MountKind::Volume, v));
      for (auto &v : binds)
        bo.mounts.push_back(parse_mount(MountKind::Bind, v));
      for (auto &v : tmpfs)
        bo.mounts.push_back(parse_mount(MountKind::Tmpfs, v));
      for (auto &v : overlays)
        bo.mounts.push_back(parse_mount(MountKind::Overlay, v));
      create_bundle(s, bo);
    };
  });
  std::string dir;
  auto *brm = bundle->add_subcommand("rm", "unmount and remove a bundle");
  brm->add_option("DIR", dir, "bundle directory")->required();
  brm->callback([&] { run = [&](const Store &s) { remove_bundle(s, dir); }; });
  bundle->add_subcommand("ls", "list bundles")->callback([&] {
    run = [&](const Store &s) { list_bundles(s); };
  });

  auto *volume = app.add_subcommand("volume", "named volumes");
  volume->require_subcommand(1);
  std::string vname;
  auto *vc = volume->add_subcommand("create", "create a volume");
  vc->add_option("NAME", vname, "volume name")->required();
  vc->callback([&] { run = [&](const Store &s) { ensure_volume(s, vname, true); }; });
  auto *vp =
      volume->add_subcommand("path", "print a volume's host directory (created on first use)");
  vp->add_option("NAME", vname, "volume name")->required();
  vp->callback([&] {
    run = [&](const Store &s) { std::printf("%s\n", ensure_volume(s, vname, false).c_str()); };
  });
  volume->add_subcommand("ls", "list volumes")->callback([&] {
    run = [&](const Store &s) { list_volumes(s); };
  });
  auto *vrm = volume->add_subcommand("rm", "remove a volume (refused while a bundle uses it)");
  vrm->add_option("NAME", vname, "volume name")->required();
  vrm->callback([&] { run = [&](const Store &s) { remove_volume(s, vname); }; });

  auto *hook = app.add_subcommand("hook", "OCI hooks hull-storage writes into bundles");
  hook->require_subcommand(1);
  std::string host, dest, n;
  for (const char *name : {"overlay-mount", "overlay-cleanup"}) {
    auto *h = hook->add_subcommand(name, "");
    h->add_option("HOST", host)->required();
    h->add_option("DEST", dest)->required();
    h->add_option("N", n)->required();
    const bool mount = std::string(name) == "overlay-mount";
    h->callback([&, mount] {
      run = [&, mount](const Store &) {
        if (mount)
          overlay_mount_hook(host, dest, n);
        else
          overlay_cleanup_hook(host, dest, n);
      };
    });
  }

  // Everything after "--" is the container's command (replaces the image's Cmd).
  int nargs = argc;
  for (int i = 1; i < argc; i++)
    if (std::string(argv[i]) == "--") {
      nargs = i;
      bo.args.assign(argv + i + 1, argv + argc);
      break;
    }
  try {
    app.parse(nargs, argv);
  } catch (const CLI::ParseError &e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 1;
  }
  try {
    Store s(root);
    clean_stale_bundles(s);
    run(s);
    return 0;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "hull-storage: %s\n", e.what());
    return 1;
  }
}
