/* tests/check_listing.c: placeholder, being written. */
#include <config.h>
int main(void);
int main(void) { return 77; }
