/* A minimal container launcher: the floor a runtime's start-up can approach.
 * It does what a default `hull spec` container needs and nothing else: the
 * same five namespaces (pid, network, ipc, uts, mount), the default config's
 * mounts (/proc, /dev tmpfs + six device nodes, /dev/pts, /dev/shm,
 * /dev/mqueue, /sys read-only, /sys/fs/cgroup), one cgroup (pids controller),
 * pivot_root, exec; optionally a precompiled seccomp filter (raw BPF from
 * bench/mkfilter) loaded with one seccomp() call. No config parsing, no state,
 * no hooks, no capabilities, no error reporting beyond perror.
 *   launcher run ROOTFS [-s FILTER.bpf] -- ARGS...
 *   launcher exec PID -- ARGS...      (join PID's namespaces and pids cgroup)
 * Built by bench/compare with cc -O2; not part of hull. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define CG "/sys/fs/cgroup/pids"
static void die(const char *what) {
  perror(what);
  _exit(127);
}
static void mnt(const char *src, const char *dst, const char *type, unsigned long fl,
                const char *data) {
  if (mount(src, dst, type, fl, data) != 0) die(dst);
}
static void put(const char *file, const char *val) {
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, val, strlen(val)) < 0) die(file);
  close(fd);
}

static void setup_rootfs(const char *rootfs, const char *cgdir) {
  if (chdir(rootfs) != 0) die(rootfs);
  mnt(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  mnt(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
  if (chdir(rootfs) != 0) die(rootfs);
  unsigned long nosx = MS_NOSUID | MS_NOEXEC | MS_NODEV;
  mnt("proc", "proc", "proc", nosx, NULL);
  mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  static const struct {
    const char *n;
    int maj, min;
  } dev[] = {{"dev/null", 1, 3},    {"dev/zero", 1, 5}, {"dev/full", 1, 7},
             {"dev/random", 1, 8}, {"dev/urandom", 1, 9}, {"dev/tty", 5, 0}};
  for (unsigned i = 0; i < sizeof dev / sizeof *dev; i++)
    if (mknod(dev[i].n, S_IFCHR | 0666, makedev(dev[i].maj, dev[i].min)) != 0) die(dev[i].n);
  mkdir("dev/pts", 0755);
  mkdir("dev/shm", 0755);
  mkdir("dev/mqueue", 0755);
  mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
      "newinstance,ptmxmode=0666,mode=0620,gid=5");
  mnt("shm", "dev/shm", "tmpfs", nosx, "mode=1777,size=65536k");
  mnt("mqueue", "dev/mqueue", "mqueue", nosx, NULL);
  mnt("sysfs", "sys", "sysfs", nosx | MS_RDONLY, NULL);
  /* /sys/fs/cgroup: a tmpfs with the container's own pids cgroup bound in. */
  mnt("tmpfs", "sys/fs/cgroup", "tmpfs", nosx, "mode=755");
  mkdir("sys/fs/cgroup/pids", 0755);
  mnt(cgdir, "sys/fs/cgroup/pids", NULL, MS_BIND, NULL);
  mnt(NULL, "sys/fs/cgroup/pids", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | nosx, NULL);
  mnt(NULL, "sys/fs/cgroup", NULL, MS_REMOUNT | MS_RDONLY | nosx, NULL);
  if (syscall(SYS_pivot_root, ".", ".") != 0) die("pivot_root");
  if (umount2(".", MNT_DETACH) != 0) die("umount old root");
  if (chdir("/") != 0) die("chdir /");
}

static struct sock_filter insns[BPF_MAXINSNS];
static struct sock_fprog prog;
static void read_filter(const char *file) { /* before pivot_root: the file is on the host */
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(file);
  ssize_t n = read(fd, insns, sizeof insns);
  close(fd);
  if (n <= 0 || n % sizeof *insns) die("filter size");
  prog = (struct sock_fprog){.len = (unsigned short)(n / sizeof *insns), .filter = insns};
}
static void load_filter(void) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs");
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) die("seccomp");
}

static int wait_for(pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) die("waitpid");
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run(const char *rootfs, const char *filter, char **args) {
  char cgdir[128], procs[160];
  if (filter) read_filter(filter);
  snprintf(cgdir, sizeof cgdir, CG "/launcher-%d", getpid());
  if (mkdir(cgdir, 0755) != 0) die(cgdir);
  snprintf(procs, sizeof procs, "%s/cgroup.procs", cgdir);
  long fl = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | SIGCHLD;
  pid_t pid = syscall(SYS_clone, fl, 0, 0, 0, 0);
  if (pid < 0) die("clone");
  if (pid == 0) {
    put(procs, "0");
    setup_rootfs(rootfs, cgdir);
    if (filter) load_filter();
    execvp(args[0], args);
    die(args[0]);
  }
  int rc = wait_for(pid);
  rmdir(cgdir);
  return rc;
}

static int exec_in(const char *pid, char **args) {
  static const char *ns[] = {"ipc", "uts", "net", "pid", "mnt"};
  int fds[5];
  char p[128];
  for (int i = 0; i < 5; i++) {
    snprintf(p, sizeof p, "/proc/%s/ns/%s", pid, ns[i]);
    if ((fds[i] = open(p, O_RDONLY | O_CLOEXEC)) < 0) die(p);
  }
  /* The target's pids cgroup, from /proc/PID/cgroup ("N:pids:/path"). */
  char buf[4096], procs[4200] = "";
  snprintf(p, sizeof p, "/proc/%s/cgroup", pid);
  int fd = open(p, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (n <= 0) die(p);
  close(fd);
  buf[n] = 0;
  char *l = strstr(buf, ":pids:");
  if (l) {
    char *e = strchr(l, '\n');
    if (e) *e = 0;
    snprintf(procs, sizeof procs, CG "%s/cgroup.procs", l + 6);
    put(procs, "0");
  }
  for (int i = 0; i < 5; i++)
    if (setns(fds[i], 0) != 0) die(ns[i]);
  pid_t c = fork();
  if (c < 0) die("fork");
  if (c == 0) {
    if (chdir("/") != 0) die("chdir");
    execvp(args[0], args);
    die(args[0]);
  }
  return wait_for(c);
}

int main(int argc, char **argv) {
  const char *filter = NULL;
  int i = 3;
  if (argc > 4 && !strcmp(argv[i], "-s")) filter = argv[i + 1], i += 2;
  if (argc < i + 2 || strcmp(argv[i], "--")) {
    fprintf(stderr, "usage: launcher run ROOTFS [-s FILTER] -- ARGS | exec PID -- ARGS\n");
    return 2;
  }
  if (!strcmp(argv[1], "run")) return run(argv[2], filter, argv + i + 1);
  if (!strcmp(argv[1], "exec")) return exec_in(argv[2], argv + i + 1);
  return 2;
}
