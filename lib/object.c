/* lib/object.c: placeholder, being written (issue #4). */
