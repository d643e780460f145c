/* placeholder, being written (issue #4) */
#include <stdio.h>
int main(void);
int
main(void)
{
	puts("not written yet");
	return 77;
}
