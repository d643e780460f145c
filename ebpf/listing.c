/* ebpf/listing.c: placeholder, being written (issue #4). */
