/* SPDX-License-Identifier: MIT */
/* The daemon's background file writer: content lands atomically, newer content
 * replaces what was not written yet, errors come back to the caller, freeing
 * writes what is queued, and the thread never takes a signal. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"
#include "daemon/file-writer.h"

static char *text_of(const char *dir, const char *name) {
        return test_read_text(dir, name);
}

static void test_write_and_replace(void **state) {
        char *dir = test_mkdtemp(), *path = test_path(dir, "state.json"), *text;
        FileWriter *w = NULL;
        char buf[32];

        assert_int_equal(file_writer_new(&w), 0);
        assert_int_equal(file_writer_submit(w, path, "first\n"), 0);
        file_writer_flush(w);
        text = text_of(dir, "state.json");
        assert_string_equal(text, "first\n");
        free(text);

        /* A burst: whatever was not written yet is replaced; the last one wins. */
        for (int i = 0; i < 500; i++) {
                snprintf(buf, sizeof(buf), "version %d\n", i);
                assert_int_equal(file_writer_submit(w, path, buf), 0);
        }
        file_writer_flush(w);
        text = text_of(dir, "state.json");
        assert_string_equal(text, "version 499\n");
        free(text);
        {
                struct stat st;

                assert_int_equal(stat(path, &st), 0);
                assert_int_equal(st.st_mode & 07777, 0644);
        }

        /* No temp file left behind. */
        {
                DIR *d = opendir(dir);
                struct dirent *de;
                int n = 0;

                assert_non_null(d);
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.')
                                n++;
                closedir(d);
                assert_int_equal(n, 1);
        }
        {
                char *p = NULL;

                assert_int_equal(file_writer_take_error(w, &p), 0);
                assert_null(p);
        }
        file_writer_free(w);
        test_rm_rf(dir);
        free(path);
        free(dir);
}

static void test_many_paths_and_free_writes_queue(void **state) {
        char *dir = test_mkdtemp(), name[32], *path, *text;
        FileWriter *w = NULL;

        assert_int_equal(file_writer_new(&w), 0);
        for (int i = 0; i < 20; i++) {
                snprintf(name, sizeof(name), "f%d", i);
                path = test_path(dir, name);
                assert_int_equal(file_writer_submit(w, path, name), 0);
                free(path);
        }
        /* Freeing without a flush still writes everything queued. */
        file_writer_free(w);
        for (int i = 0; i < 20; i++) {
                snprintf(name, sizeof(name), "f%d", i);
                text = text_of(dir, name);
                assert_string_equal(text, name);
                free(text);
        }
        test_rm_rf(dir);
        free(dir);
}

static void test_error_reported(void **state) {
        char *dir = test_mkdtemp(), *bad = test_path(dir, "missing/state.json"), *good = test_path(dir, "ok"), *p = NULL;
        FileWriter *w = NULL;

        assert_int_equal(file_writer_new(&w), 0);
        assert_int_equal(file_writer_submit(w, bad, "x"), 0);
        assert_int_equal(file_writer_submit(w, good, "y"), 0);
        file_writer_flush(w);
        /* A later success does not hide the failure. */
        assert_int_equal(file_writer_take_error(w, &p), -ENOENT);
        assert_string_equal(p, bad);
        free(p);
        p = NULL;
        assert_int_equal(file_writer_take_error(w, &p), 0);
        assert_null(p);
        file_writer_free(w);
        test_rm_rf(dir);
        free(bad);
        free(good);
        free(dir);
}

/* Process-directed signals go to any thread that does not block them; the event
 * loop's signalfd only sees them if the writer blocks every one. */
static void test_thread_blocks_signals(void **state) {
        FileWriter *w = NULL;
        DIR *d;
        struct dirent *de;
        int threads = 0;

        assert_int_equal(file_writer_new(&w), 0);
        d = opendir("/proc/self/task");
        assert_non_null(d);
        while ((de = readdir(d))) {
                char rel[300], *status, *blk;
                unsigned long long mask;

                if (de->d_name[0] == '.' || atoi(de->d_name) == getpid())
                        continue;
                snprintf(rel, sizeof(rel), "task/%s/status", de->d_name);
                status = test_read_text("/proc/self", rel);
                blk = strstr(status, "SigBlk:");
                assert_non_null(blk);
                mask = strtoull(blk + 7, NULL, 16);
                assert_true(mask & (1ULL << (SIGHUP - 1)));
                assert_true(mask & (1ULL << (SIGTERM - 1)));
                assert_true(mask & (1ULL << (SIGINT - 1)));
                free(status);
                threads++;
        }
        closedir(d);
        assert_int_equal(threads, 1);
        file_writer_free(w);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_write_and_replace),
                cmocka_unit_test(test_many_paths_and_free_writes_queue),
                cmocka_unit_test(test_error_reported),
                cmocka_unit_test(test_thread_blocks_signals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
