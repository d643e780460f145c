/* cli/live.c: placeholder, being written (issue #4). */
