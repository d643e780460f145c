/* ebpf/xdp.c: placeholder, being written (issue #4). */
