/* cbpf/interp.c: placeholder, being written. */
#include <config.h>
