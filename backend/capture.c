/* backend/capture.c: placeholder, being written (issue #4). */
