/* cbpf/listing.c: placeholder, being written. */
#include <config.h>
