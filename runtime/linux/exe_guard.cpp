#include "linux/exe_guard.hpp"

#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/unique_fd.hpp"

namespace hull::sys {
namespace {

// The interpreter exe asks the kernel for, or "" when none.
std::string interpreter_of(const std::string &path) {
  unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  char buf[256] = {};
  ssize_t n = ::pread(fd.get(), buf, sizeof buf - 1, 0);
  if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
    std::string line(buf + 2, size_t(n - 2));
    line = line.substr(0, line.find('\n'));
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    size_t e = line.find_first_of(" \t", b);
    return line.substr(b, e == std::string::npos ? std::string::npos : e - b);
  }
  if (n >= ssize_t(sizeof(Elf64_Ehdr)) && std::string(buf, 4) == ELFMAG &&
      buf[EI_CLASS] == ELFCLASS64) {
    Elf64_Ehdr eh;
    std::memcpy(&eh, buf, sizeof eh);
    for (int i = 0; i < eh.e_phnum && i < 64; i++) {
      Elf64_Phdr ph;
      if (::pread(fd.get(), &ph, sizeof ph, off_t(eh.e_phoff + uint64_t(i) * eh.e_phentsize)) !=
          ssize_t(sizeof ph))
        return "";
      if (ph.p_type != PT_INTERP || ph.p_filesz == 0 || ph.p_filesz > 4096) continue;
      std::string interp(ph.p_filesz, '\0');
      if (::pread(fd.get(), interp.data(), interp.size(), off_t(ph.p_offset)) !=
          ssize_t(interp.size()))
        return "";
      return interp.c_str();
    }
  }
  return "";
}

} // namespace

void refuse_runtime_interpreter(const std::string &exe) {
  struct stat self;
  if (::stat("/proc/self/exe", &self) < 0) return; // no procfs here: no magic link either
  std::string path = exe;
  for (int depth = 0; depth < 6 && !path.empty(); depth++) {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return;
    if (st.st_dev == self.st_dev && st.st_ino == self.st_ino)
      throw Error("exec " + exe + ": refusing to run the runtime binary (" + path +
                  ") inside the container");
    path = interpreter_of(path);
  }
}

} // namespace hull::sys
