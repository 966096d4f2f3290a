// cgroup v2 device control: the OCI device rules compiled to a
// BPF_PROG_TYPE_CGROUP_DEVICE program (pure), and loading/attaching it.
#pragma once

#include <cstdint>
#include <linux/bpf.h>
#include <vector>

#include "spec/config.hpp"

namespace hull::cgroups {

// The program: rules are checked last to first, the first match decides
// (so the last matching rule wins, as on v1); no match denies.
std::vector<bpf_insn> compile_device_filter(const std::vector<spec::DeviceCgroupRule> &rules);

// Loads the program and attaches it to the cgroup directory fd with
// BPF_F_ALLOW_MULTI, then detaches the programs that were attached before
// (replace on update without a window where nothing filters).
void install_device_filter(int cgroup_fd, const std::vector<bpf_insn> &prog);

} // namespace hull::cgroups
