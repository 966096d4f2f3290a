#include "cgroups/devices_bpf.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::cgroups {

namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}

// Registers after the prologue: r3 device type, r4 access, r5 major, r6 minor.
constexpr uint8_t R_TYPE = 3, R_ACC = 4, R_MAJOR = 5, R_MINOR = 6, R_TMP = 7;

int access_bits(const std::string &a) {
  if (a.empty()) return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
  int bits = 0;
  for (char c : a) {
    if (c == 'm')
      bits |= BPF_DEVCG_ACC_MKNOD;
    else if (c == 'r')
      bits |= BPF_DEVCG_ACC_READ;
    else if (c == 'w')
      bits |= BPF_DEVCG_ACC_WRITE;
    else
      throw Error("linux.resources.devices[].access: unknown access \"" + a + "\"");
  }
  return bits;
}

constexpr int ALL_ACCESS = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

bool matches_everything(const spec::DeviceCgroupRule &r) {
  return (r.type.empty() || r.type == "a") && (!r.major || *r.major < 0) &&
         (!r.minor || *r.minor < 0) && access_bits(r.access) == ALL_ACCESS;
}

// One rule: a run of "jump to the end of this block when it does not match"
// tests, then r0 = verdict; exit.
void emit_rule(std::vector<bpf_insn> &out, const spec::DeviceCgroupRule &r) {
  std::vector<bpf_insn> block;
  std::vector<size_t> skips; // indexes of jumps to patch to the block's end
  auto skip_unless_eq = [&](uint8_t reg, int32_t v) {
    skips.push_back(block.size());
    block.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, v));
  };
  const std::string type = r.type.empty() ? "a" : r.type;
  if (type == "c")
    skip_unless_eq(R_TYPE, BPF_DEVCG_DEV_CHAR);
  else if (type == "b")
    skip_unless_eq(R_TYPE, BPF_DEVCG_DEV_BLOCK);
  else if (type != "a")
    throw Error("linux.resources.devices[].type: unknown type \"" + r.type + "\"");
  if (r.major && *r.major >= 0) skip_unless_eq(R_MAJOR, static_cast<int32_t>(*r.major));
  if (r.minor && *r.minor >= 0) skip_unless_eq(R_MINOR, static_cast<int32_t>(*r.minor));
  const int acc = access_bits(r.access);
  if (acc != ALL_ACCESS) {
    block.push_back(insn(BPF_ALU | BPF_MOV | BPF_X, R_TMP, R_ACC, 0, 0));
    skips.push_back(block.size() + 1);
    if (r.allow) {
      // allow only when every requested access is in the rule
      block.push_back(insn(BPF_ALU | BPF_AND | BPF_K, R_TMP, 0, 0, ALL_ACCESS & ~acc));
      block.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, R_TMP, 0, 0, 0));
    } else {
      // deny when any requested access is in the rule
      block.push_back(insn(BPF_ALU | BPF_AND | BPF_K, R_TMP, 0, 0, acc));
      block.push_back(insn(BPF_JMP | BPF_JEQ | BPF_K, R_TMP, 0, 0, 0));
    }
  }
  block.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r.allow ? 1 : 0));
  block.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  for (size_t i : skips)
    block[i].off = static_cast<int16_t>(block.size() - (i + 1));
  out.insert(out.end(), block.begin(), block.end());
}

long bpf(int cmd, bpf_attr &attr) {
  return syscall(SYS_bpf, cmd, &attr, sizeof(attr));
}

} // namespace

std::vector<bpf_insn> compile_device_filter(const std::vector<spec::DeviceCgroupRule> &rules) {
  std::vector<bpf_insn> p;
  // struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; }
  p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0));
  p.push_back(insn(BPF_ALU | BPF_MOV | BPF_X, R_TYPE, 2, 0, 0));
  p.push_back(insn(BPF_ALU | BPF_AND | BPF_K, R_TYPE, 0, 0, 0xffff));
  p.push_back(insn(BPF_ALU | BPF_MOV | BPF_X, R_ACC, 2, 0, 0));
  p.push_back(insn(BPF_ALU | BPF_RSH | BPF_K, R_ACC, 0, 0, 16));
  p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, R_MAJOR, 1, 4, 0));
  p.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, R_MINOR, 1, 8, 0));
  bool decided = false;
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    emit_rule(p, *it);
    if (matches_everything(*it)) { // earlier rules can never be reached
      decided = true;
      break;
    }
  }
  if (!decided) {
    p.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
    p.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  }
  return p;
}

void install_device_filter(int cgroup_fd, const std::vector<bpf_insn> &prog) {
  static const char license[] = "Apache-2.0";
  std::string log(1 << 16, '\0');
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uintptr_t>(prog.data());
  attr.insn_cnt = static_cast<uint32_t>(prog.size());
  attr.license = reinterpret_cast<uintptr_t>(license);
  attr.log_buf = reinterpret_cast<uintptr_t>(log.data());
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_level = 1;
  unique_fd prog_fd(static_cast<int>(bpf(BPF_PROG_LOAD, attr)));
  if (!prog_fd) {
    int e = errno;
    std::string first = log.substr(0, log.find('\0'));
    if (first.size() > 200) first = first.substr(0, 200);
    throw Error("load eBPF device filter (" + std::to_string(prog.size()) + " instructions)" +
                    (first.empty() ? "" : " [" + first + "]"),
                e);
  }

  // The programs attached now, to detach once the new one is in place.
  uint32_t ids[64] = {};
  attr = {};
  attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uintptr_t>(ids);
  attr.query.prog_cnt = 64;
  uint32_t old_count = 0;
  if (bpf(BPF_PROG_QUERY, attr) == 0) old_count = attr.query.prog_cnt;

  attr = {};
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(prog_fd.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, attr) != 0) throw_errno("attach eBPF device filter to cgroup");

  for (uint32_t i = 0; i < old_count && i < 64; ++i) {
    attr = {};
    attr.prog_id = ids[i];
    unique_fd old(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, attr)));
    if (!old) continue;
    attr = {};
    attr.target_fd = static_cast<uint32_t>(cgroup_fd);
    attr.attach_bpf_fd = static_cast<uint32_t>(old.get());
    attr.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, attr) != 0)
      throw_errno("detach previous eBPF device filter (id " + std::to_string(ids[i]) + ")");
  }
}

} // namespace hull::cgroups
