/* Peak resident set of a command's process tree, as /usr/bin/time's %M
 * reports it: runs CMD, reaps it and every descendant orphaned to us (we are
 * a child subreaper, so detached runtime helpers count too), and prints the
 * largest ru_maxrss (KiB) of RUSAGE_CHILDREN: the biggest resident set any
 * process of the tree reached, across its execs. Exit status is CMD's.
 *   maxrss CMD ARGS...                                  Built by bench/compare. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t pid = fork();
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int st, rc = 127;
  pid_t w;
  while ((w = wait(&st)) > 0 || errno == EINTR)
    if (w == pid) rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  printf("%ld\n", ru.ru_maxrss);
  return rc;
}
