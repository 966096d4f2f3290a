// seccomp -ENOSYS stub (see seccomp_enosys.hpp).
#include "linux/seccomp_enosys.hpp"

#include <linux/audit.h>
#include <seccomp.h>

#include <cerrno>
#include <cstddef>

namespace hull::sys {
namespace {

constexpr uint32_t kX32Bit = 0x40000000;

// Symbolic jump targets of the stub, resolved once its length is known.
constexpr long kEnosys = -1;
constexpr long kMain = -2;
constexpr long kNextArch = -3;

struct Insn {
  sock_filter f;
  long jt = 0; // absolute index or a symbolic target; 0 with jf == 0: not a jump
  long jf = 0;
};

} // namespace

bool wants_enosys_stub(const SeccompPlan &plan) {
  const uint32_t def = plan.default_action;
  if (def == SCMP_ACT_ALLOW || def == SCMP_ACT_LOG) return false;
  if ((def & SECCOMP_RET_ACTION_FULL) == SCMP_ACT_TRACE(0)) return false;
  if (def == SCMP_ACT_ERRNO(ENOSYS)) return false;
  return true;
}

LastSyscalls last_syscalls(const SeccompPlan &plan) {
  std::vector<uint32_t> arches = plan.arches;
  arches.push_back(seccomp_arch_native());
  LastSyscalls last;
  for (uint32_t arch : arches) {
    if (last.count(arch)) continue;
    bool any = false;
    uint32_t max = 0;
    for (const auto &name : plan.named) {
      int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
      if (nr < 0) continue; // unknown there, or a multiplexed pseudo-number
      if (!any || uint32_t(nr) > max) max = uint32_t(nr);
      any = true;
    }
    if (any) last[arch] = max;
  }
  return last;
}

std::vector<sock_filter> enosys_stub(const LastSyscalls &last) {
  if (last.empty()) return {};
  std::vector<Insn> p;
  auto stmt = [&](uint16_t code, uint32_t k) { p.push_back({BPF_STMT(code, k), 0, 0}); };
  auto jump = [&](uint16_t code, uint32_t k, long jt, long jf) {
    p.push_back({BPF_JUMP(code, k, 0, 0), jt, jf});
  };
  auto above = [&](const uint32_t *lastnr) {
    if (lastnr)
      jump(BPF_JMP | BPF_JGT | BPF_K, *lastnr, kEnosys, kMain);
    else
      jump(BPF_JMP | BPF_JA, 0, kMain, kMain);
  };
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  // x86_64 and x32 share AUDIT_ARCH_X86_64; x32 numbers have the x32 bit.
  const uint32_t *x64 = last.count(SCMP_ARCH_X86_64) ? &last.at(SCMP_ARCH_X86_64) : nullptr;
  const uint32_t *x32 = last.count(SCMP_ARCH_X32) ? &last.at(SCMP_ARCH_X32) : nullptr;
  std::vector<size_t> arch_checks; // jeq instructions whose jf is the next architecture
  auto begin_arch = [&](uint32_t audit) {
    for (size_t i : arch_checks)
      if (p[i].jf == kNextArch) p[i].jf = long(p.size());
    arch_checks.push_back(p.size());
    jump(BPF_JMP | BPF_JEQ | BPF_K, audit, long(p.size()) + 1, kNextArch);
    stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
  };
  if (x64 || x32) {
    begin_arch(AUDIT_ARCH_X86_64);
    size_t split = p.size();
    jump(BPF_JMP | BPF_JSET | BPF_K, kX32Bit, 0, long(split) + 1);
    above(x64);
    p[split].jt = long(p.size());
    above(x32);
  }
  for (const auto &[arch, nr] : last) {
    if (arch == SCMP_ARCH_X86_64 || arch == SCMP_ARCH_X32) continue;
    begin_arch(arch); // libseccomp's other tokens are the AUDIT_ARCH_* values
    above(&nr);
  }
  for (size_t i : arch_checks)
    if (p[i].jf == kNextArch) p[i].jf = kMain;
  const long enosys = long(p.size());
  stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA));
  const long main_start = long(p.size());

  std::vector<sock_filter> out;
  for (size_t i = 0; i < p.size(); i++) {
    sock_filter f = p[i].f;
    if (BPF_CLASS(f.code) == BPF_JMP) {
      auto resolve = [&](long t) { return t == kEnosys ? enosys : t == kMain ? main_start : t; };
      const long jt = resolve(p[i].jt), jf = resolve(p[i].jf);
      if (BPF_OP(f.code) == BPF_JA) {
        f.k = uint32_t(jt - long(i) - 1);
      } else {
        f.jt = uint8_t(jt - long(i) - 1);
        f.jf = uint8_t(jf - long(i) - 1);
      }
    }
    out.push_back(f);
  }
  return out;
}

} // namespace hull::sys
