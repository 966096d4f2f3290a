/* Prints "euid=N" and the Cap* lines of /proc/self/status. Installed setuid
 * root in test rootfses by test_capabilities.sh (static, keeps its privileges). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  printf("euid=%d\n", (int)geteuid());
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "Cap", 3) == 0) fputs(line, stdout);
  return 0;
}
