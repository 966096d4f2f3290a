#include "greet.h"

const char *greeting(void) { return "hello from a hull CI build"; }
int add(int a, int b) { return a + b; }
