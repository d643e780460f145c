/* lib/ebpf.c: placeholder, being written (issue #4). */
