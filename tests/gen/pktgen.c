/* tests/gen/pktgen.c: placeholder, being written. */
#include <config.h>
