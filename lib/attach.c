/* lib/attach.c: placeholder, being written (issue #4). */
