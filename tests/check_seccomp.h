/*
 * check_seccomp.h: the suites of tests/check_seccomp, one file each.
 *
 * check_seccomp.c: the parsers (every construct, error messages and their
 * positions checked against the input text) and a mutation fuzz loop.
 * check_seccomp_oracle.c: seccomp_eval against libseccomp's own filters
 * (seccomp_export_bpf) run by the cBPF interpreter over struct
 * seccomp_data.
 */
#ifndef BPFC_TESTS_CHECK_SECCOMP_H
#define BPFC_TESTS_CHECK_SECCOMP_H

#include <check.h>
#include <stddef.h>

#include "tests/seccomp_vectors.h"

Suite *seccomp_oracle_suite(void);

#endif
