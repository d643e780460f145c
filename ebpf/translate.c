/* ebpf/translate.c: placeholder, being written (issue #4). */
