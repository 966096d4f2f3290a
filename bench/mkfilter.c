/* Compiles a seccomp profile into raw BPF once, for bench/launcher's seccomp
 * variant (the launcher then loads it with one seccomp() call, the floor for
 * "run with a profile, cache warm"). Input on stdin, one rule per line, as
 * bench/compare produces it from the OCI linux.seccomp object with jq:
 *   default ACTION ERRNO ARCH...
 *   rule ACTION ERRNO NAME [INDEX OP VALUE VALUETWO]...
 * ACTION is SCMP_ACT_ALLOW/ERRNO/KILL/KILL_PROCESS/TRAP/LOG; OP is SCMP_CMP_*.
 * Writes the BPF program to stdout. Built with cc -lseccomp. */
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t action(const char *a, unsigned e) {
  if (!strcmp(a, "SCMP_ACT_ALLOW")) return SCMP_ACT_ALLOW;
  if (!strcmp(a, "SCMP_ACT_ERRNO")) return SCMP_ACT_ERRNO(e);
  if (!strcmp(a, "SCMP_ACT_KILL")) return SCMP_ACT_KILL;
  if (!strcmp(a, "SCMP_ACT_KILL_PROCESS")) return SCMP_ACT_KILL_PROCESS;
  if (!strcmp(a, "SCMP_ACT_TRAP")) return SCMP_ACT_TRAP;
  if (!strcmp(a, "SCMP_ACT_LOG")) return SCMP_ACT_LOG;
  fprintf(stderr, "mkfilter: unknown action %s\n", a);
  exit(1);
}
static enum scmp_compare op(const char *o) {
  static const char *n[] = {"", "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",
                            "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
  for (int i = 1; i < 8; i++)
    if (!strcmp(o, n[i])) return (enum scmp_compare)i;
  fprintf(stderr, "mkfilter: unknown op %s\n", o);
  exit(1);
}

int main(void) {
  char line[4096];
  scmp_filter_ctx ctx = NULL;
  uint32_t def = 0;
  while (fgets(line, sizeof line, stdin)) {
    char *tok[64];
    int n = 0;
    for (char *t = strtok(line, " \n"); t && n < 64; t = strtok(NULL, " \n")) tok[n++] = t;
    if (n < 3) continue;
    uint32_t act = action(tok[1], (unsigned)atoi(tok[2]));
    if (!strcmp(tok[0], "default")) {
      ctx = seccomp_init(def = act);
      if (!ctx) return 1;
      for (int i = 3; i < n; i++) {
        uint32_t a = seccomp_arch_resolve_name(tok[i] + strlen("SCMP_ARCH_"));
        if (a && a != seccomp_arch_native()) seccomp_arch_add(ctx, a);
      }
      continue;
    }
    int nr = seccomp_syscall_resolve_name(tok[3]);
    if (!ctx || nr == __NR_SCMP_ERROR) continue; /* unknown names are skipped, as runtimes do */
    struct scmp_arg_cmp c[6];
    unsigned nc = 0;
    for (int i = 4; i + 3 < n && nc < 6; i += 4)
      c[nc++] = (struct scmp_arg_cmp){(unsigned)atoi(tok[i]), op(tok[i + 1]),
                                      strtoull(tok[i + 2], 0, 0), strtoull(tok[i + 3], 0, 0)};
    /* libseccomp refuses a rule whose action is the default one: it is a no-op anyway */
    if (act != def && seccomp_rule_add_array(ctx, act, nr, nc, c) != 0)
      fprintf(stderr, "mkfilter: rule %s skipped\n", tok[3]);
  }
  if (!ctx || seccomp_export_bpf(ctx, 1) != 0) return 1;
  seccomp_release(ctx);
  return 0;
}
