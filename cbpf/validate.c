/* cbpf/validate.c: placeholder, being written. */
#include <config.h>
