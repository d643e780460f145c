/* cbpf/asm.c: placeholder, being written. */
#include <config.h>
