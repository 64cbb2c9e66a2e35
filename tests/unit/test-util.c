/* SPDX-License-Identifier: MIT */
#include "test-util.h"

#include "config/policy-builder.h"

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

void test_fake_process(const char *root, const FakeProcess *p) {
        char rel[256], *content = NULL, *argv = NULL;

        snprintf(rel, sizeof(rel), "proc/%d/stat", p->pid);
        assert_true(asprintf(&content,
                             "%d (%s) %c %d %d %d 0 -1 %u 100 0 0 0 5 6 0 0 20 0 1 0 %llu 1000000 200 "
                             "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                             p->pid, p->comm, p->state ?: 'S', p->ppid ?: 1, p->pid, p->pid, p->flags,
                             p->start_time ?: 12345ULL) > 0);
        test_write_file(root, rel, content, 0644);
        free(content);

        snprintf(rel, sizeof(rel), "proc/%d/comm", p->pid);
        assert_true(asprintf(&content, "%s\n", p->comm) > 0);
        test_write_file(root, rel, content, 0644);
        free(content);

        snprintf(rel, sizeof(rel), "proc/%d/status", p->pid);
        assert_true(asprintf(&content,
                             "Name:\t%s\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
                             "Uid:\t%u\t%u\t%u\t%u\nGid:\t0\t0\t0\t0\n%s",
                             p->comm, p->pid, p->pid, p->ppid ?: 1, p->uid, p->uid, p->uid, p->uid,
                             p->memory ?: "VmRSS:\t    1200 kB\nRssAnon:\t     1000 kB\nRssFile:\t     200 kB\n"
                                          "RssShmem:\t       0 kB\nVmPTE:\t      48 kB\nVmSwap:\t       8 kB\n") > 0);
        test_write_file(root, rel, content, 0644);
        free(content);

        snprintf(rel, sizeof(rel), "proc/%d/oom_score_adj", p->pid);
        assert_true(asprintf(&content, "%d\n", p->oom_score_adj) > 0);
        test_write_file(root, rel, content, 0644);
        free(content);

        snprintf(rel, sizeof(rel), "proc/%d/oom_score", p->pid);
        assert_true(asprintf(&content, "%u\n", p->oom_score) > 0);
        test_write_file(root, rel, content, 0644);
        free(content);

        snprintf(rel, sizeof(rel), "proc/%d/cgroup", p->pid);
        test_write_file(root, rel, p->cgroup ?: "0::/\n", 0644);

        snprintf(rel, sizeof(rel), "proc/%d/cmdline", p->pid);
        {
                char *path = test_path(root, rel);
                FILE *f = fopen(path, "we");
                size_t n;

                assert_non_null(f);
                argv = strdup(p->argv ?: "");
                n = strlen(argv);
                for (size_t i = 0; i < n; i++)
                        if (argv[i] == ' ')
                                argv[i] = '\0';
                if (n > 0)
                        assert_int_equal(fwrite(argv, 1, n + 1, f), n + 1);
                assert_int_equal(fclose(f), 0);
                free(argv);
                free(path);
        }

        if (p->exe) {
                snprintf(rel, sizeof(rel), "proc/%d/exe", p->pid);
                test_symlink(p->exe, root, rel);
        }
}

int test_read_int(const char *root, const char *rel) {
        char *path = test_path(root, rel);
        FILE *f = fopen(path, "re");
        int v = 0;

        assert_non_null(f);
        assert_int_equal(fscanf(f, "%d", &v), 1);
        fclose(f);
        free(path);
        return v;
}

char *test_read_text(const char *root, const char *rel) {
        char *path = test_path(root, rel), *text = NULL;
        size_t size = 0;
        FILE *f = fopen(path, "re"), *out = open_memstream(&text, &size);
        char buf[4096];
        size_t n;

        assert_non_null(f);
        assert_non_null(out);
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                assert_int_equal(fwrite(buf, 1, n, out), n);
        fclose(f);
        assert_int_equal(fclose(out), 0);
        free(path);
        return text;
}

Policy *test_build_policy(const char *content) {
        PolicyBuilder *b = NULL;
        DiagList diag = {};
        Policy *p = NULL;

        assert_int_equal(policy_builder_new(&b), 0);
        assert_int_equal(policy_builder_add_file(b, "t.conf", content, strlen(content), &diag), 0);
        if (policy_builder_finish(b, &p, &diag) < 0)
                diag_list_print(&diag, stderr);
        assert_non_null(p);
        diag_list_done(&diag);
        policy_builder_free(b);
        return p;
}
