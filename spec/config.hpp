// The OCI runtime-spec v1.3.0 configuration (config.md, config-linux.md) as
// plain C++ data. Parsing and validation live in parse.cpp / validate.cpp;
// nothing here has side effects.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hull::spec {

inline constexpr const char *kSpecVersion = "1.3.0";

struct Root {
  std::string path;
  bool readonly = false;
};

struct IdMapping {
  uint32_t containerID = 0;
  uint32_t hostID = 0;
  uint32_t size = 0;
};

struct Mount {
  std::string destination;
  std::string source;
  std::string type;
  std::vector<std::string> options;
  std::vector<IdMapping> uidMappings;
  std::vector<IdMapping> gidMappings;
};

struct ConsoleSize {
  uint32_t height = 0;
  uint32_t width = 0;
};

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additionalGids;
  std::string username; // Windows only; kept for round-trips
};

struct Capabilities {
  std::vector<std::string> bounding;
  std::vector<std::string> effective;
  std::vector<std::string> inheritable;
  std::vector<std::string> permitted;
  std::vector<std::string> ambient;
};

struct Rlimit {
  std::string type; // e.g. RLIMIT_NOFILE
  uint64_t hard = 0;
  uint64_t soft = 0;
};

struct IoPriority {
  std::string ioClass; // IOPRIO_CLASS_RT | _BE | _IDLE
  int32_t priority = 0;
};

struct Scheduler {
  std::string policy; // SCHED_OTHER ...
  int32_t nice = 0;
  int32_t priority = 0;
  std::vector<std::string> flags;
  uint64_t runtime = 0;
  uint64_t deadline = 0;
  uint64_t period = 0;
};

struct ExecCPUAffinity {
  std::string initial;
  std::string final;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> consoleSize;
  std::string cwd;
  std::vector<std::string> env;
  std::vector<std::string> args;
  std::string commandLine; // Windows only
  std::vector<Rlimit> rlimits;
  std::string apparmorProfile;
  std::optional<Capabilities> capabilities;
  bool noNewPrivileges = false;
  std::optional<int32_t> oomScoreAdj;
  std::optional<Scheduler> scheduler;
  std::string selinuxLabel;
  std::optional<IoPriority> ioPriority;
  std::optional<ExecCPUAffinity> execCPUAffinity;
  User user;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout; // seconds, > 0
};

struct Hooks {
  std::vector<Hook> prestart; // deprecated, still run
  std::vector<Hook> createRuntime;
  std::vector<Hook> createContainer;
  std::vector<Hook> startContainer;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;
};

struct Namespace {
  std::string type; // pid network mount ipc uts user cgroup time
  std::string path; // empty: create a new one
};

struct TimeOffset {
  int64_t secs = 0;
  uint32_t nanosecs = 0;
};

struct Device {
  std::string type; // c b u p
  std::string path;
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> fileMode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

struct DeviceCgroupRule {
  bool allow = false;
  std::string type; // a c b (empty = all)
  std::optional<int64_t> major;
  std::optional<int64_t> minor;
  std::string access; // rwm
};

struct MemoryResources {
  std::optional<int64_t> limit;
  std::optional<int64_t> reservation;
  std::optional<int64_t> swap;
  std::optional<int64_t> kernel;
  std::optional<int64_t> kernelTCP;
  std::optional<uint64_t> swappiness;
  std::optional<bool> disableOOMKiller;
  std::optional<bool> useHierarchy;
  std::optional<bool> checkBeforeUpdate;
};

struct CPUResources {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> burst;
  std::optional<uint64_t> period;
  std::optional<int64_t> realtimeRuntime;
  std::optional<uint64_t> realtimePeriod;
  std::string cpus;
  std::string mems;
  std::optional<int64_t> idle;
};

struct PidsResources {
  std::optional<int64_t> limit;
};

struct WeightDevice {
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leafWeight;
};

struct ThrottleDevice {
  int64_t major = 0;
  int64_t minor = 0;
  uint64_t rate = 0;
};

struct BlockIOResources {
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leafWeight;
  std::vector<WeightDevice> weightDevice;
  std::vector<ThrottleDevice> throttleReadBpsDevice;
  std::vector<ThrottleDevice> throttleWriteBpsDevice;
  std::vector<ThrottleDevice> throttleReadIOPSDevice;
  std::vector<ThrottleDevice> throttleWriteIOPSDevice;
};

struct HugepageLimit {
  std::string pageSize; // e.g. 2MB
  uint64_t limit = 0;
};

struct NetworkPriority {
  std::string name;
  uint32_t priority = 0;
};

struct NetworkResources {
  std::optional<uint32_t> classID;
  std::vector<NetworkPriority> priorities;
};

struct RdmaLimit {
  std::optional<uint32_t> hcaHandles;
  std::optional<uint32_t> hcaObjects;
};

struct Resources {
  std::vector<DeviceCgroupRule> devices;
  std::optional<MemoryResources> memory;
  std::optional<CPUResources> cpu;
  std::optional<PidsResources> pids;
  std::optional<BlockIOResources> blockIO;
  std::vector<HugepageLimit> hugepageLimits;
  std::optional<NetworkResources> network;
  std::map<std::string, RdmaLimit> rdma;
  std::map<std::string, std::string> unified;
};

struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t valueTwo = 0;
  std::string op; // SCMP_CMP_NE ...
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;
  std::optional<uint32_t> errnoRet;
  std::vector<SeccompArg> args;
};

struct Seccomp {
  std::string defaultAction;
  std::optional<uint32_t> defaultErrnoRet;
  std::vector<std::string> architectures;
  std::vector<std::string> flags;
  std::string listenerPath;
  std::string listenerMetadata;
  std::vector<SeccompSyscall> syscalls;
};

struct IntelRdt {
  std::string closID;
  std::string l3CacheSchema;
  std::string memBwSchema;
  std::vector<std::string> schemata;
  bool enableMonitoring = false;
};

struct Personality {
  std::string domain; // LINUX | LINUX32
  std::vector<std::string> flags;
};

struct MemoryPolicy {
  std::string mode;
  std::string nodes;
  std::vector<std::string> flags;
};

struct NetDevice {
  std::string name;
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uidMappings;
  std::vector<IdMapping> gidMappings;
  std::map<std::string, TimeOffset> timeOffsets; // "monotonic", "boottime"
  std::vector<Device> devices;
  std::string cgroupsPath;
  std::optional<Resources> resources;
  std::string rootfsPropagation;
  std::optional<Seccomp> seccomp;
  std::map<std::string, std::string> sysctl;
  std::vector<std::string> maskedPaths;
  std::vector<std::string> readonlyPaths;
  std::string mountLabel;
  std::optional<IntelRdt> intelRdt;
  std::optional<Personality> personality;
  std::optional<MemoryPolicy> memoryPolicy;
  std::map<std::string, NetDevice> netDevices;
};

struct Config {
  std::string ociVersion;
  std::optional<Root> root;
  std::vector<Mount> mounts;
  std::optional<Process> process;
  std::string hostname;
  std::string domainname;
  std::optional<Hooks> hooks;
  std::map<std::string, std::string> annotations;
  std::optional<Linux> linux_; // "linux" is a predefined macro in GNU C++
};

} // namespace hull::spec
