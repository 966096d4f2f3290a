// pause, resume, update, ps, events: the commands that work on a running
// container's cgroup (cgroups part).
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <iostream>
#include <iterator>
#include <poll.h>
#include <set>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cmd_support.hpp"
#include "cgroups/resources_json.hpp"
#include "cgroups/stats.hpp"
#include "cli/commands.hpp"
#include "spec/spec.hpp"
#include "util/error.hpp"
#include "util/fault.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace hull::cli {
namespace {

using container::Container;

std::string read_all(std::istream &in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A container whose init is gone cannot be paused, updated ... (runc wording).
void need_running(const Container &c, const std::string &status) {
  if (status == "stopped") throw Error("container not running");
  (void)c;
}

void register_pause_resume(CLI::App &app, Context &ctx) {
  static std::string pause_id, resume_id;
  auto *pause = app.add_subcommand("pause", "suspend all processes of a container (freezer)");
  pause->add_option("id", pause_id, "container id")->required();
  pause->callback([&ctx] {
    ctx.run = [&ctx] {
      Container c = Container::load(ctx.global, pause_id);
      auto lock = c.lock();
      fault::point("pause.locked");
      const std::string st = c.status();
      if (st == "paused") throw Error("container already paused");
      auto m = c.cgroup();
      if ((st != "running" && st != "created") || !m) throw Error("container not running");
      m->freeze(true);
      fault::point("pause.frozen");
      return 0;
    };
  });
  auto *resume = app.add_subcommand("resume", "resume all processes of a paused container");
  resume->add_option("id", resume_id, "container id")->required();
  resume->callback([&ctx] {
    ctx.run = [&ctx] {
      Container c = Container::load(ctx.global, resume_id);
      auto lock = c.lock();
      if (c.status() != "paused") throw Error("container not paused");
      c.cgroup()->freeze(false);
      return 0;
    };
  });
}

struct UpdateFlags {
  std::string id, resources;
  std::string memory, memory_swap, memory_reservation, kernel_memory, kernel_memory_tcp;
  std::string cpu_period, cpu_quota, cpu_share, cpu_rt_period, cpu_rt_runtime, cpuset_cpus,
      cpuset_mems, pids_limit, blkio_weight, l3_cache_schema, mem_bw_schema;
};

int64_t to_int(const std::string &flag, const std::string &v) {
  try {
    size_t used = 0;
    long long n = std::stoll(v, &used);
    if (used == v.size()) return n;
  } catch (...) {
  }
  throw Error(flag + ": invalid number \"" + v + "\"");
}

uint64_t to_uint(const std::string &flag, const std::string &v) {
  const int64_t n = to_int(flag, v);
  if (n < 0) throw Error(flag + ": must not be negative, got " + v);
  return static_cast<uint64_t>(n);
}

spec::Resources update_resources(const UpdateFlags &f) {
  spec::Resources r;
  if (!f.resources.empty()) {
    std::string text;
    if (f.resources == "-") {
      text = read_all(std::cin);
    } else {
      text = spec::read_text_file(f.resources); // a directory: "read X: is a directory"
    }
    r = cgroups::resources_from_text(text);
  }
  auto mem = [&]() -> spec::MemoryResources & {
    if (!r.memory) r.memory.emplace();
    return *r.memory;
  };
  auto cpu = [&]() -> spec::CPUResources & {
    if (!r.cpu) r.cpu.emplace();
    return *r.cpu;
  };
  if (!f.memory.empty()) mem().limit = cgroups::parse_bytes("--memory", f.memory);
  if (!f.memory_swap.empty()) mem().swap = cgroups::parse_bytes("--memory-swap", f.memory_swap);
  if (!f.memory_reservation.empty())
    mem().reservation = cgroups::parse_bytes("--memory-reservation", f.memory_reservation);
  if (!f.kernel_memory.empty())
    mem().kernel = cgroups::parse_bytes("--kernel-memory", f.kernel_memory);
  if (!f.kernel_memory_tcp.empty())
    mem().kernelTCP = cgroups::parse_bytes("--kernel-memory-tcp", f.kernel_memory_tcp);
  if (!f.cpu_period.empty()) cpu().period = to_uint("--cpu-period", f.cpu_period);
  if (!f.cpu_quota.empty()) cpu().quota = to_int("--cpu-quota", f.cpu_quota);
  if (!f.cpu_share.empty()) cpu().shares = to_uint("--cpu-share", f.cpu_share);
  if (!f.cpu_rt_period.empty()) cpu().realtimePeriod = to_uint("--cpu-rt-period", f.cpu_rt_period);
  if (!f.cpu_rt_runtime.empty())
    cpu().realtimeRuntime = to_int("--cpu-rt-runtime", f.cpu_rt_runtime);
  if (!f.cpuset_cpus.empty()) cpu().cpus = f.cpuset_cpus;
  if (!f.cpuset_mems.empty()) cpu().mems = f.cpuset_mems;
  if (!f.pids_limit.empty()) {
    r.pids.emplace();
    r.pids->limit = to_int("--pids-limit", f.pids_limit);
  }
  if (!f.blkio_weight.empty()) {
    const uint64_t w = to_uint("--blkio-weight", f.blkio_weight);
    if (w != 0 && (w < 10 || w > 1000))
      throw Error("--blkio-weight: must be between 10 and 1000, got " + f.blkio_weight);
    if (!r.blockIO) r.blockIO.emplace();
    r.blockIO->weight = static_cast<uint16_t>(w);
  }
  if (!f.l3_cache_schema.empty() || !f.mem_bw_schema.empty())
    throw Error("--l3-cache-schema/--mem-bw-schema: Intel RDT is not supported by hull");
  return r;
}

void register_update(CLI::App &app, Context &ctx) {
  static UpdateFlags f;
  auto *u = app.add_subcommand("update", "update container resource constraints");
  u->add_option("id", f.id, "container id")->required();
  u->add_option("-r,--resources", f.resources,
                "path to a file with linux.resources JSON, or - for stdin");
  u->add_option("--memory", f.memory, "memory limit (e.g. 64m)");
  u->add_option("--memory-swap", f.memory_swap, "memory+swap limit, -1 for unlimited");
  u->add_option("--memory-reservation", f.memory_reservation, "memory soft limit");
  u->add_option("--kernel-memory", f.kernel_memory, "kernel memory limit (deprecated)");
  u->add_option("--kernel-memory-tcp", f.kernel_memory_tcp, "kernel TCP buffer limit (deprecated)");
  u->add_option("--cpu-period", f.cpu_period, "CFS period in microseconds");
  u->add_option("--cpu-quota", f.cpu_quota, "CFS quota in microseconds");
  u->add_option("--cpu-share", f.cpu_share, "CPU shares (relative weight)");
  u->add_option("--cpu-rt-period", f.cpu_rt_period, "realtime period in microseconds");
  u->add_option("--cpu-rt-runtime", f.cpu_rt_runtime, "realtime runtime in microseconds");
  u->add_option("--cpuset-cpus", f.cpuset_cpus, "CPUs allowed (e.g. 0-3,5)");
  u->add_option("--cpuset-mems", f.cpuset_mems, "memory nodes allowed");
  u->add_option("--pids-limit", f.pids_limit, "maximum number of pids, -1 for unlimited");
  u->add_option("--blkio-weight", f.blkio_weight, "block IO weight (10-1000)");
  u->add_option("--l3-cache-schema", f.l3_cache_schema, "Intel RDT L3 schema (unsupported)");
  u->add_option("--mem-bw-schema", f.mem_bw_schema, "Intel RDT memory bandwidth (unsupported)");
  u->callback([&ctx] {
    ctx.run = [&ctx] {
      Container c = Container::load(ctx.global, f.id);
      auto lock = c.lock();
      fault::point("update.locked");
      need_running(c, c.status());
      const spec::Resources r = update_resources(f);
      auto m = c.cgroup();
      if (!m) throw Error("container not running");
      m->update(r);
      fault::point("update.applied");
      return 0;
    };
  });
}

// All an fd holds from its offset on.
std::string read_to_end(int fd) {
  std::string text;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) text.append(buf, static_cast<size_t>(n));
  return text;
}

// Output of `ps ARGS...` (default -ef).
std::string run_ps(const std::vector<std::string> &args) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) < 0) throw_errno("pipe");
  // ps's complaints go into the one error line, not as its usage text on
  // our stderr (a file: no pipe to drain while stdout is read)
  unique_fd err(::memfd_create("ps-stderr", MFD_CLOEXEC));
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork ps");
  if (pid == 0) {
    ::dup2(out[1], 1);
    if (err) ::dup2(err.get(), 2);
    std::vector<char *> argv{const_cast<char *>("ps")};
    for (const auto &a : args)
      argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp("ps", argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  const std::string text = read_to_end(out[0]);
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string errtext;
  if (err) {
    ::lseek(err.get(), 0, SEEK_SET);
    errtext = read_to_end(err.get());
    while (!errtext.empty() && (errtext.back() == '\n' || errtext.back() == ' '))
      errtext.pop_back();
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("ps " + (args.empty() ? std::string() : args[0]) + ": ps failed (status " +
                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) +
                ")" + (errtext.empty() ? "" : ": " + errtext));
  if (!errtext.empty()) log::warn("ps: " + errtext);
  return text;
}

void register_ps(CLI::App &app, Context &ctx) {
  static std::string id, format = "table";
  static std::vector<std::string> ps_args;
  auto *ps = app.add_subcommand("ps", "list the processes running inside a container");
  ps->add_option("-f,--format", format, "table or json")->check(CLI::IsMember({"table", "json"}));
  ps->add_option("id", id, "container id")->required();
  ps->add_option("ps-args", ps_args, "options for ps(1) (default -ef)");
  ps->callback([&ctx] {
    // `ps ID -- -e -x`: main put a "--" after the id already, this one is the user's
    if (!ps_args.empty() && ps_args[0] == "--") ps_args.erase(ps_args.begin());
    ctx.run = [&ctx] {
      Container c = Container::load(ctx.global, id);
      // runc lists a stopped container too: what is left in its cgroup (usually nothing)
      std::vector<pid_t> pids;
      if (auto m = c.cgroup()) pids = m->pids();
      if (format == "json") {
        // as runc: ps options do not apply to the pid list (ignored), and
        // an empty list is encoded as null
        std::cout << (pids.empty() ? nlohmann::json(nullptr) : nlohmann::json(pids)).dump()
                  << std::endl;
        return 0;
      }
      const std::set<int> set(pids.begin(), pids.end());
      std::cout << cgroups::filter_ps_table(
                       run_ps(ps_args.empty() ? std::vector<std::string>{"-ef"} : ps_args), set)
                << std::flush;
      return 0;
    };
  });
}

void print_event(const char *type, const std::string &id, const nlohmann::json *data) {
  std::cout << cgroups::event_line(type, id, data) << std::endl;
}

void register_events(CLI::App &app, Context &ctx) {
  static std::string id, interval = "5s";
  static bool stats_once = false;
  auto *ev = app.add_subcommand("events", "display container events (OOM) and resource stats");
  ev->add_option("id", id, "container id")->required();
  ev->add_option("--interval", interval, "stats interval (default 5s)");
  ev->add_flag("--stats", stats_once, "display the stats once, then exit");
  ev->callback([&ctx] {
    ctx.run = [&ctx] {
      const auto every = cgroups::parse_duration("--interval", interval);
      if (every.count() <= 0) throw Error("--interval: must be greater than 0");
      Container c = Container::load(ctx.global, id);
      if (c.status() == "stopped") throw Error("container with id " + id + " is not running");
      auto m = c.cgroup();
      if (stats_once) {
        const auto s = m->stats();
        print_event("stats", id, &s);
        return 0;
      }
      std::unique_ptr<cgroups::OomWatch> oom;
      try {
        oom = m->watch_oom();
      } catch (const Error &) {
        // no memory controller: stats only
      }
      auto next = std::chrono::steady_clock::now() + every;
      for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            next - std::chrono::steady_clock::now());
        pollfd p{oom ? oom->fd() : -1, POLLIN, 0};
        const int n = ::poll(&p, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
        if (n > 0 && oom) {
          const int kills = oom->consume();
          if (kills < 0) oom.reset();
          for (int k = 0; k < kills; ++k)
            print_event("oom", id, nullptr);
        }
        if (std::chrono::steady_clock::now() < next) continue;
        next += every;
        if (!Container::exists(ctx.global, id) ||
            Container::load(ctx.global, id).status() == "stopped")
          return 0;
        const auto s = m->stats();
        print_event("stats", id, &s);
      }
    };
  });
}

} // namespace

void register_cgroup_commands(CLI::App &app, Context &ctx) {
  register_pause_resume(app, ctx);
  register_update(app, ctx);
  register_ps(app, ctx);
  register_events(app, ctx);
}

} // namespace hull::cli
