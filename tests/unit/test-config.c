/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"
#include "config/conf-files.h"
#include "shared/paths.h"
#include "config/policy-load.h"
#include "shared/strv.h"
#include "config/sysctl-d.h"

static const char *basename_of(const char *p) {
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

static void test_dropin_merge_and_mask(void **state) {
        char *root = test_mkdtemp();
        _cleanup_strv_free_ char **paths = NULL;
        DiagList diag = {};

        /* The configured directories (/etc, /usr/lib with --prefix=/usr --sysconfdir=/etc). */
        test_write_file(root, POLICY_FILE, "[oom_score_adj]\na = 1\n", 0644);
        test_write_file(root, VENDOR_DROPIN_DIR "/10-vendor.conf", "", 0644);
        test_write_file(root, VENDOR_DROPIN_DIR "/20-both.conf", "", 0644);
        test_write_file(root, VENDOR_DROPIN_DIR "/30-masked.conf", "", 0644);
        test_write_file(root, VENDOR_DROPIN_DIR "/not-conf.txt", "", 0644);
        test_write_file(root, POLICY_RUNTIME_DROPIN_DIR "/20-both.conf", "", 0644);
        test_write_file(root, POLICY_RUNTIME_DROPIN_DIR "/05-runtime.conf", "", 0644);
        test_write_file(root, POLICY_DROPIN_DIR "/20-both.conf", "", 0644);
        test_write_file(root, POLICY_DROPIN_DIR "/99-local.conf", "", 0644);
        test_symlink("/dev/null", root, POLICY_DROPIN_DIR "/30-masked.conf");
        /* Where an unconfigured build would look: not read unless configured so. */
        if (strcmp(POLICY_SYSCONFDIR, "/etc") != 0)
                test_write_file(root, "etc/oompolicy.conf.d/00-not-configured.conf", "", 0644);

        assert_int_equal(conf_files_policy(root, NULL, &paths, &diag), 0);
        assert_int_equal(strv_length(paths), 5);
        assert_non_null(strstr(paths[0], POLICY_FILE));
        assert_string_equal(basename_of(paths[1]), "05-runtime.conf");
        assert_non_null(strstr(paths[1], POLICY_RUNTIME_DROPIN_DIR "/"));
        assert_string_equal(basename_of(paths[2]), "10-vendor.conf");
        assert_non_null(strstr(paths[2], VENDOR_DROPIN_DIR "/"));
        assert_string_equal(basename_of(paths[3]), "20-both.conf");
        assert_non_null(strstr(paths[3], POLICY_DROPIN_DIR "/"));   /* /etc beats /run beats /usr/lib */
        assert_string_equal(basename_of(paths[4]), "99-local.conf");
        test_rm_rf(root);
        free(root);
}

static void test_vendor_fallback_and_missing(void **state) {
        char *root = test_mkdtemp();
        _cleanup_strv_free_ char **paths = NULL;
        DiagList diag = {};

        assert_int_equal(conf_files_policy(root, NULL, &paths, &diag), -ENOENT);
        assert_int_equal(diag.n_errors, 1);
        assert_non_null(strstr(diag.entries[0].message, "no policy"));
        diag_list_done(&diag);

        test_write_file(root, VENDOR_POLICY_FILE, "", 0644);
        assert_int_equal(conf_files_policy(root, NULL, &paths, &diag), 0);
        assert_non_null(strstr(paths[0], VENDOR_POLICY_FILE));
        test_rm_rf(root);
        free(root);
}

static void test_config_option_reads_only_its_dropins(void **state) {
        char *root = test_mkdtemp();
        char *main_file = test_path(root, "site/policy.conf");
        _cleanup_strv_free_ char **paths = NULL;
        DiagList diag = {};

        test_write_file(root, "site/policy.conf", "", 0644);
        test_write_file(root, "site/policy.conf.d/b.conf", "", 0644);
        test_write_file(root, "site/policy.conf.d/a.conf", "", 0644);
        test_write_file(root, POLICY_DROPIN_DIR "/ignored.conf", "", 0644);
        assert_int_equal(conf_files_policy(root, main_file, &paths, &diag), 0);
        assert_int_equal(strv_length(paths), 3);
        assert_string_equal(paths[0], main_file);
        assert_string_equal(basename_of(paths[1]), "a.conf");
        assert_string_equal(basename_of(paths[2]), "b.conf");
        free(main_file);
        test_rm_rf(root);
        free(root);
}

static void expect_refused(const char *path, const char *message) {
        DiagList diag = {};
        _cleanup_free_ char *content = NULL, *line = NULL;
        size_t len;

        assert_true(conf_file_read_trusted(path, &content, &len, &diag) < 0);
        assert_int_equal(diag.n_errors, 1);
        line = diag_entry_format(&diag.entries[0]);
        print_message("  refused: %s\n", line);
        assert_non_null(strstr(line, message));
        assert_int_equal(strncmp(line, path, strlen(path)), 0);
        diag_list_done(&diag);
}

static void test_trust_checks(void **state) {
        char *root = test_mkdtemp();
        char *ok = test_path(root, "ok.conf"), *gw = test_path(root, "gw.conf"), *ow = test_path(root, "ow.conf"),
             *dir = test_path(root, "dir.conf"), *loop = test_path(root, "loop.conf"), *missing = test_path(root, "no.conf"),
             *notroot = test_path(root, "nobody.conf"), *fifo = test_path(root, "fifo.conf");
        _cleanup_free_ char *content = NULL;
        DiagList diag = {};
        size_t len;

        if (geteuid() != 0) {
                print_message("skipped: ownership checks need root to create root-owned files\n");
                skip();
        }
        test_write_file(root, "ok.conf", "[oom_score_adj]\nx = 1\n", 0644);
        test_write_file(root, "gw.conf", "", 0664);
        test_write_file(root, "ow.conf", "", 0646);
        test_write_file(root, "nobody.conf", "", 0644);
        assert_int_equal(chown(notroot, 65534, 65534), 0);
        test_mkdir_p(root, "dir.conf");
        test_symlink("loop.conf", root, "loop.conf");
        assert_int_equal(mkfifo(fifo, 0644), 0);

        assert_int_equal(conf_file_read_trusted(ok, &content, &len, &diag), 0);
        assert_int_equal(len, 22);
        assert_int_equal(diag.n_entries, 0);
        expect_refused(gw, "refusing policy file writable by group (mode 0664); run chmod go-w");
        expect_refused(ow, "refusing policy file writable by others (mode 0646); run chmod go-w");
        expect_refused(notroot, "refusing policy file owned by uid 65534, not root");
        expect_refused(dir, "is a directory, not a policy file");
        expect_refused(loop, "too many levels of symbolic links");
        expect_refused(missing, "cannot open: No such file or directory");
        expect_refused(fifo, "is not a regular file");

        free(ok); free(gw); free(ow); free(dir); free(loop); free(missing); free(notroot); free(fifo);
        test_rm_rf(root);
        free(root);
}

static void test_policy_load_reports_everything(void **state) {
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};
        char *root, *main_file;

        if (geteuid() != 0) {
                print_message("skipped: policy files are trusted only when owned by root, which only root can create\n");
                skip();
        }
        root = test_mkdtemp();
        main_file = test_path(root, "p.conf");
        test_write_file(root, "p.conf", "[oom_score_adj]\nsshd = -1000\nbad = x\n", 0644);
        test_write_file(root, "p.conf.d/10-open.conf", "[oom_score_adj]\nfoo = 1\n", 0666);
        test_write_file(root, "p.conf.d/20-ok.conf", "[sysctl]\nvm.panic_on_oom = 9\n", 0644);
        assert_int_equal(policy_load(NULL, main_file, &p, &diag), -EINVAL);
        assert_null(p);
        assert_int_equal(diag.n_errors, 3);
        assert_non_null(strstr(diag.entries[0].message, "'x' for 'bad' is not an integer"));
        assert_non_null(strstr(diag.entries[1].message, "writable by others"));
        assert_non_null(strstr(diag.entries[2].message, "out of range (0..2)"));
        diag_list_done(&diag);

        test_write_file(root, "p.conf", "[oom_score_adj]\nsshd = -1000\n", 0644);
        test_write_file(root, "p.conf.d/10-open.conf", "[oom_score_adj]\nfoo = 1\n", 0644);
        test_write_file(root, "p.conf.d/20-ok.conf", "[sysctl]\nvm.panic_on_oom = 1\n", 0644);
        assert_int_equal(policy_load(NULL, main_file, &p, &diag), 0);
        assert_int_equal(p->n_rules, 2);
        assert_int_equal(strv_length(p->files), 3);
        free(main_file);
        test_rm_rf(root);
        free(root);
}

static int count_cb(SysctlId id, const char *value, unsigned line, void *userdata) {
        (*(unsigned *) userdata)++;
        return 0;
}

static void test_sysctl_d(void **state) {
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};
        unsigned n = 0;
        char *root, *main_file;

        assert_int_equal(sysctl_d_parse("# c\n; c\nvm.swappiness = 1\n-vm.panic_on_oom=1\nvm/oom_dump_tasks = 0\nnonsense\n",
                                        count_cb, &n), 0);
        assert_int_equal(n, 2);

        if (geteuid() != 0) {
                print_message("skipped: policy files are trusted only when owned by root, which only root can create\n");
                skip();
        }
        root = test_mkdtemp();
        main_file = test_path(root, "p.conf");
        test_write_file(root, "p.conf", "[sysctl]\nvm.panic_on_oom = 1\nvm.oom_dump_tasks = 1\n", 0644);
        test_write_file(root, "usr/lib/sysctl.d/50-default.conf", "vm.panic_on_oom = 0\n", 0644);
        test_write_file(root, "etc/sysctl.d/60-site.conf", "vm.oom_dump_tasks = 1\n", 0644);
        test_write_file(root, "etc/sysctl.conf", "\n\nvm.panic_on_oom = 2\n", 0644);
        assert_int_equal(policy_load(NULL, main_file, &p, &diag), 0);
        assert_int_equal(sysctl_d_check_conflicts(root, p, &diag), 0);
        assert_int_equal(diag.n_errors, 0);
        assert_int_equal(diag.n_warnings, 1);
        assert_int_equal(diag.entries[0].line, 3);
        assert_non_null(strstr(diag.entries[0].file, "etc/sysctl.conf"));
        assert_non_null(strstr(diag.entries[0].message, "sets vm.panic_on_oom = 2, but the policy"));
        diag_list_done(&diag);
        free(main_file);
        test_rm_rf(root);
        free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dropin_merge_and_mask),
                cmocka_unit_test(test_vendor_fallback_and_missing),
                cmocka_unit_test(test_config_option_reads_only_its_dropins),
                cmocka_unit_test(test_trust_checks),
                cmocka_unit_test(test_policy_load_reports_everything),
                cmocka_unit_test(test_sysctl_d),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
