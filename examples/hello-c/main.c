#include <stdio.h>

#include "greet.h"

#ifdef BREAK_BUILD
#error "deliberately broken build (BREAK_BUILD)"
#endif

int main(void) {
  printf("%s: 2 + 3 = %d\n", greeting(), add(2, 3));
  return add(2, 3) == 5 ? 0 : 1;
}
