/* backend/pcapfile.c: placeholder, being written. */
#include <config.h>
