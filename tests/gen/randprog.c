/* tests/gen/randprog.c: placeholder, being written. */
#include <config.h>
