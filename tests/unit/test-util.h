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

/* A process directory in a fake /proc under root: ROOT/proc/PID/{stat,comm,status,
 * oom_score_adj,cmdline,cgroup,exe}. exe NULL = unreadable (no link); argv is
 * space-separated words (written NUL-separated). */
typedef struct FakeProcess {
        int pid;
        const char *comm;
        char state;           /* 0 = 'S' */
        int ppid;
        unsigned flags;
        unsigned uid;
        int oom_score_adj;
        const char *exe;
        const char *argv;
        const char *cgroup;   /* full /proc/PID/cgroup content; NULL = "0::/\n" */
        unsigned long long start_time;   /* stat field 22 (clock ticks); 0 = 12345 */
        /* The memory lines of status; NULL = VmRSS 1200 kB (RssAnon 1000, RssFile 200),
         * VmPTE 48 kB, VmSwap 8 kB; "" = none (kernel thread, zombie). */
        const char *memory;
        unsigned oom_score;   /* written to oom_score */
} FakeProcess;
void test_fake_process(const char *root, const FakeProcess *p);
int test_read_int(const char *root, const char *rel);
/* The whole file (malloc'ed), to check exact contents. */
char *test_read_text(const char *root, const char *rel);

/* A policy built from one in-memory file named "t.conf"; fails the test on any error. */
struct Policy;
struct Policy *test_build_policy(const char *content);
