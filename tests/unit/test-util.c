/* SPDX-License-Identifier: MIT */
#include "test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *test_mkdtemp(void) {
        const char *tmp = getenv("TMPDIR");
        char *path = NULL;

        assert_true(asprintf(&path, "%s/oompolicy-test.XXXXXX", tmp && *tmp ? tmp : "/tmp") > 0);
        assert_non_null(mkdtemp(path));
        return path;
}

char *test_path(const char *dir, const char *rel) {
        char *p = NULL;

        assert_true(asprintf(&p, "%s/%s", dir, rel) > 0);
        return p;
}

void test_mkdir_p(const char *dir, const char *rel) {
        char *p = test_path(dir, rel);

        for (char *s = p + strlen(dir) + 1; ; s++) {
                if (*s == '/' || *s == '\0') {
                        char saved = *s;

                        *s = '\0';
                        assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
                        *s = saved;
                        if (saved == '\0')
                                break;
                }
        }
        free(p);
}

void test_write_file(const char *dir, const char *rel, const char *content, mode_t mode) {
        char *p = test_path(dir, rel);
        const char *slash = strrchr(rel, '/');
        int fd;

        if (slash) {
                char *parent = strndup(rel, (size_t) (slash - rel));

                assert_non_null(parent);
                test_mkdir_p(dir, parent);
                free(parent);
        }
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, content, strlen(content)), (ssize_t) strlen(content));
        assert_int_equal(fchmod(fd, mode), 0);
        assert_int_equal(close(fd), 0);
        free(p);
}

void test_symlink(const char *target, const char *dir, const char *rel) {
        char *p = test_path(dir, rel);

        assert_int_equal(symlink(target, p), 0);
        free(p);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) ftw;
        if (flag == FTW_DP)
                (void) rmdir(path);
        else
                (void) unlink(path);
        return 0;
}

void test_rm_rf(const char *dir) {
        if (dir)
                (void) nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
