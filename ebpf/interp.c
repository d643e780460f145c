/* ebpf/interp.c: placeholder, being written (issue #4). */
