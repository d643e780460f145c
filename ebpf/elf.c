/* ebpf/elf.c: placeholder, being written (issue #4). */
