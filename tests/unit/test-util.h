/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/types.h>
#include <cmocka.h>

/* A fresh directory under $TMPDIR (or /tmp); free with test_rm_rf() + free(). */
char *test_mkdtemp(void);
/* Writes DIR/REL (creating parent directories) with the given mode. */
void test_write_file(const char *dir, const char *rel, const char *content, mode_t mode);
void test_mkdir_p(const char *dir, const char *rel);
void test_symlink(const char *target, const char *dir, const char *rel);
void test_rm_rf(const char *dir);
char *test_path(const char *dir, const char *rel);
