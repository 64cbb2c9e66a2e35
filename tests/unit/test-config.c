/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"
#include "config/conf-files.h"
#include "config/policy-builder.h"
#include "shared/paths.h"
#include "config/policy-load.h"
#include "proc/proc-info.h"
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

/* ---- the builder: policy files into a Policy ---- */

typedef struct TestFile {
        const char *name;
        const char *content;
} TestFile;

/* Builds a policy from in-memory files; returns the finish result. */
static int build(const TestFile *files, size_t n, Policy **ret, DiagList *diag) {
        _cleanup_policy_builder_ PolicyBuilder *b = NULL;

        assert_int_equal(policy_builder_new(&b), 0);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(policy_builder_add_file(b, files[i].name, files[i].content, strlen(files[i].content), diag), 0);
        return policy_builder_finish(b, ret, diag);
}

static Policy *build_ok(const char *content) {
        DiagList diag = {};
        Policy *p = NULL;
        int r = build(&(TestFile) { "main.conf", content }, 1, &p, &diag);

        if (r < 0)
                diag_list_print(&diag, stderr);
        assert_int_equal(r, 0);
        assert_int_equal(diag.n_errors, 0);
        diag_list_done(&diag);
        return p;
}

/* Asserts that the policy fails and that exactly these errors (in order) are reported. */
static void expect_errors(const TestFile *files, size_t n, const char *const *expected) {
        DiagList diag = {};
        Policy *p = NULL;
        size_t n_expected = 0;

        assert_int_not_equal(build(files, n, &p, &diag), 0);
        assert_null(p);
        while (expected[n_expected])
                n_expected++;
        if (diag.n_errors != n_expected)
                diag_list_print(&diag, stderr);
        assert_int_equal(diag.n_errors, n_expected);
        for (size_t i = 0; i < n_expected; i++) {
                _cleanup_free_ char *s = diag_entry_format(&diag.entries[i]);
                assert_string_equal(s, expected[i]);
        }
        diag_list_done(&diag);
}

#define EXPECT_ERRORS(content, ...) \
        expect_errors(&(TestFile) { "t.conf", content }, 1, (const char *const[]) { __VA_ARGS__, NULL })

static void test_short_form_and_sysctl(void **state) {
        _cleanup_policy_ Policy *p = build_ok(
                "# comment\n"
                "; another\n"
                "[sysctl]\n"
                "vm.overcommit_memory = 2\n"
                "vm.overcommit_ratio=80\n"
                "kernel.panic = -1\n"
                "\n"
                "[oom_score_adj]\n"
                "sshd = -1000\n"
                "chrom* = 300 ; inline comment\n"
                "  indented = 5\n");

        assert_int_equal(p->n_rules, 3);
        assert_string_equal(p->rules[0].name, "sshd");
        assert_true(p->rules[0].short_form);
        assert_int_equal(p->rules[0].oom_score_adj, -1000);
        assert_string_equal(p->rules[1].names[0], "chrom*");
        assert_int_equal(p->rules[1].oom_score_adj, 300);
        assert_int_equal(p->rules[1].origin.line, 10);
        assert_string_equal(p->rules[1].origin.file, "main.conf");
        assert_int_equal(p->rules[2].oom_score_adj, 5);
        assert_true(p->sysctl[SYSCTL_OVERCOMMIT_MEMORY].set);
        assert_int_equal(p->sysctl[SYSCTL_OVERCOMMIT_MEMORY].value, 2);
        assert_int_equal(p->sysctl[SYSCTL_OVERCOMMIT_MEMORY].origin.line, 4);
        assert_int_equal(p->sysctl[SYSCTL_OVERCOMMIT_RATIO].value, 80);
        assert_int_equal(p->sysctl[SYSCTL_KERNEL_PANIC].value, -1);
        assert_false(p->sysctl[SYSCTL_PANIC_ON_OOM].set);
        assert_int_equal(p->proc_fields, 0);
}

static void test_full_rule(void **state) {
        _cleanup_policy_ Policy *p = build_ok(
                "[rule:ssh]\n"
                "name = sshd sshd-session\n"
                "exe = /usr/sbin/sshd /usr/lib/openssh/sshd-session\n"
                "user = root 0\n"
                "cgroup = /system.slice/ssh.service*\n"
                "cmdline = *sshd*\n"
                "oom_score_adj = -900\n"
                "children = reset\n");
        const Rule *r = &p->rules[0];

        assert_int_equal(p->n_rules, 1);
        assert_string_equal(r->name, "ssh");
        assert_false(r->short_form);
        assert_int_equal(r->n_uids, 2);
        assert_int_equal(r->uids[0], 0);
        assert_string_equal(r->names[1], "sshd-session");
        assert_string_equal(r->exes[0], "/usr/sbin/sshd");
        assert_int_equal(r->oom_score_adj, -900);
        assert_int_equal(r->children, CHILDREN_RESET);
        assert_int_equal(r->oomd_preference, OOMD_PREFERENCE_UNSET);
        assert_int_equal(r->key_origin[RULE_KEY_EXE].line, 3);
        assert_int_equal(p->proc_fields, PROC_FIELD_UID | PROC_FIELD_EXE | PROC_FIELD_CMDLINE | PROC_FIELD_CGROUP);
}

static void test_oomd_preference(void **state) {
        _cleanup_policy_ Policy *p = build_ok(
                "[rule:ssh]\nname = sshd\noom_score_adj = -900\noomd_preference = avoid\n"
                "[rule:batch]\nname = batch\noom_score_adj = 500\noomd_preference = omit\n");

        assert_int_equal(p->rules[0].oomd_preference, OOMD_PREFERENCE_AVOID);
        assert_int_equal(p->rules[0].key_origin[RULE_KEY_OOMD_PREFERENCE].line, 4);
        assert_int_equal(p->rules[1].oomd_preference, OOMD_PREFERENCE_OMIT);
        assert_string_equal(oomd_preference_to_string(OOMD_PREFERENCE_OMIT), "omit");
        assert_null(oomd_preference_to_string(OOMD_PREFERENCE_UNSET));
        assert_int_equal(oomd_preference_from_string("none"), -EINVAL);
}

static void test_oom_adj_conversion(void **state) {
        static const struct { const char *in; int out; } cases[] = {
                { "-17", -1000 }, { "15", 1000 }, { "0", 0 }, { "-16", -941 }, { "-5", -294 }, { "1", 58 }, { "14", 823 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *text = NULL;
                Policy *p;

                assert_true(asprintf(&text, "[rule:x]\nname = x\noom_adj = %s\n", cases[i].in) > 0);
                p = build_ok(text);
                assert_int_equal(p->rules[0].oom_score_adj, cases[i].out);
                policy_free(p);
        }
        EXPECT_ERRORS("[rule:x]\nname = x\noom_adj = -18\n", "t.conf:3: value -18 for 'oom_adj' is out of range (-17..15)");
}

static void test_daemon_settings(void **state) {
        _cleanup_policy_ Policy *p = build_ok("[oom_score_adj]\nx = 1\n");

        /* defaults */
        assert_int_equal(p->daemon.rescan_interval_sec, 300);
        assert_int_equal(p->daemon.self_oom_score_adj, -1000);
        assert_int_equal(p->daemon.default_oom_score_adj, 0);
        assert_true(p->daemon.watch_kernel_log);
        assert_false(p->daemon.restore_on_exit);
        assert_null(p->daemon.metrics_file);
        policy_free(TAKE_PTR(p));

        p = build_ok("[daemon]\nrescan_interval = 0\nself_oom_score_adj = -500\ndefault_oom_score_adj = 10\n"
                     "log_level = debug\nmetrics_file = /var/lib/node_exporter/oompolicy.prom\n"
                     "watch_kernel_log = no\nrestore_on_exit = yes\n");
        assert_int_equal(p->daemon.rescan_interval_sec, 0);
        assert_int_equal(p->daemon.self_oom_score_adj, -500);
        assert_int_equal(p->daemon.default_oom_score_adj, 10);
        assert_int_equal(p->daemon.log_level, 7);
        assert_string_equal(p->daemon.metrics_file, "/var/lib/node_exporter/oompolicy.prom");
        assert_false(p->daemon.watch_kernel_log);
        assert_true(p->daemon.restore_on_exit);
        assert_int_equal(p->daemon.origin[DAEMON_KEY_RESTORE_ON_EXIT].line, 8);
}

static void test_error_messages(void **state) {
        EXPECT_ERRORS("[sysctl]\nvm.overcommit_memory = 3\n",
                      "t.conf:2: value 3 for 'vm.overcommit_memory' is out of range (0..2)");
        EXPECT_ERRORS("[sysctl]\nvm.panic_on_oom =\n", "t.conf:2: empty value for 'vm.panic_on_oom'");
        EXPECT_ERRORS("[sysctl]\nvm.panic_on_oom = 1\nvm/panic_on_oom = 0\n",
                      "t.conf:3: duplicate key 'vm/panic_on_oom' in [sysctl] (already set at line 2)");
        EXPECT_ERRORS("[sysctl]\nvm.swappiness = 10\n",
                      "t.conf:2: unknown sysctl 'vm.swappiness' (oompolicyd manages vm.overcommit_memory, "
                      "vm.overcommit_ratio, vm.overcommit_kbytes, vm.panic_on_oom, vm.oom_kill_allocating_task, "
                      "vm.oom_dump_tasks, vm.admin_reserve_kbytes, vm.user_reserve_kbytes and kernel.panic)");
        EXPECT_ERRORS("[oom_score_adj]\nfoo = -10x\n", "t.conf:2: value '-10x' for 'foo' is not an integer");
        EXPECT_ERRORS("[oom_score_adj]\nfoo = 1001\n", "t.conf:2: value 1001 for 'foo' is out of range (-1000..1000)");
        EXPECT_ERRORS("[oom_score_adj]\nfoo =\n", "t.conf:2: empty value for 'foo'");
        EXPECT_ERRORS("[oom_score_adj]\nfo[o = 1\n", "t.conf:2: glob 'fo[o' has an unbalanced '['");
        EXPECT_ERRORS("[oom_score_adj]\nfoo = 1\nbar = 2\nfoo = 3\n",
                      "t.conf:4: duplicate key 'foo' in [oom_score_adj] (already set at line 2)");
        EXPECT_ERRORS("[things]\nfoo = 1\n",
                      "t.conf:1: unknown section [things] (expected [sysctl], [oom_score_adj], [rule:NAME] or [daemon])");
        EXPECT_ERRORS("[rule:x]\nname = x\noom_score_adj = 1\ncolour = red\n",
                      "t.conf:4: unknown key 'colour' in [rule:x] (expected name, exe, cmdline, user, cgroup, "
                      "oom_score_adj, oom_adj, children or oomd_preference)");
        EXPECT_ERRORS("[rule:x]\nname = x\nuser = no-such-user-oompolicy\noom_score_adj = 1\n",
                      "t.conf:3: user 'no-such-user-oompolicy' does not exist");
        EXPECT_ERRORS("[rule:x]\nname = x\nexe = sshd\noom_score_adj = 1\n",
                      "t.conf:3: glob 'sshd' in 'exe' can never match: executable paths begin with '/'");
        EXPECT_ERRORS("[rule:x]\nname = a [b\noom_score_adj = 1\n", "t.conf:2: glob '[b' in 'name' has an unbalanced '['");
        EXPECT_ERRORS("[rule:x]\nname =   \noom_score_adj = 1\n", "t.conf:2: empty value for 'name'");
        EXPECT_ERRORS("[rule:x]\nuser = root\noom_score_adj = 1\n",
                      "t.conf:1: rule 'x' needs at least one of name, exe, cmdline or cgroup (user alone would match "
                      "every process of that user)");
        EXPECT_ERRORS("[rule:x]\nname = x\n", "t.conf:1: rule 'x' sets no oom_score_adj");
        EXPECT_ERRORS("[rule:x]\nname = x\noom_score_adj = 1\noom_adj = 2\n",
                      "t.conf:4: duplicate key 'oom_adj' in [rule:x] (already set at line 3)");
        EXPECT_ERRORS("[rule:x]\nname = x\noom_score_adj = 1\nchildren = sometimes\n",
                      "t.conf:4: invalid value 'sometimes' for 'children' (expected inherit or reset)");
        EXPECT_ERRORS("[rule:x]\nname = x\noom_score_adj = 1\noomd_preference = never\n",
                      "t.conf:4: invalid value 'never' for 'oomd_preference' (expected avoid or omit)");
        EXPECT_ERRORS("[rule:x]\nname = x\noom_score_adj = 1\noomd_preference =\n",
                      "t.conf:4: empty value for 'oomd_preference'");
        EXPECT_ERRORS("[rule:bad name]\nname = x\n", "t.conf:1: invalid rule name 'bad name': use letters, digits and -_.@:+");
        EXPECT_ERRORS("[daemon]\nlog_level = loud\n",
                      "t.conf:2: invalid log_level 'loud' (expected emerg, alert, crit, err, warning, notice, info or debug)");
        EXPECT_ERRORS("[daemon]\nrestore_on_exit = perhaps\n",
                      "t.conf:2: invalid boolean 'perhaps' for 'restore_on_exit' (expected yes or no)");
        EXPECT_ERRORS("[daemon]\nmetrics_file = metrics.prom\n", "t.conf:2: metrics_file 'metrics.prom' is not an absolute path");
        EXPECT_ERRORS("[daemon]\nrescan_interval = 5min\n", "t.conf:2: value '5min' for 'rescan_interval' is not an integer");
        EXPECT_ERRORS("[daemon]\nverbose = yes\n",
                      "t.conf:2: unknown key 'verbose' in [daemon] (expected rescan_interval, self_oom_score_adj, "
                      "default_oom_score_adj, log_level, metrics_file, watch_kernel_log or restore_on_exit)");
        EXPECT_ERRORS("[sysctl]\nvm.overcommit_ratio = 50\nvm.overcommit_kbytes = 1000\n",
                      "t.conf:3: vm.overcommit_kbytes and vm.overcommit_ratio (set at t.conf:2) exclude each other: "
                      "writing one makes the kernel zero the other; set only one");
}

static void test_syntax_errors(void **state) {
        char long_line[300];

        EXPECT_ERRORS("[sysctl\nvm.panic_on_oom = 1\n", "t.conf:1: section header is missing its closing ']'");
        EXPECT_ERRORS("[]\n", "t.conf:1: empty section name");
        EXPECT_ERRORS("[sysctl] trailing\n", "t.conf:1: unexpected text after section header");
        EXPECT_ERRORS("[sysctl]\njust words\n", "t.conf:2: expected 'KEY = VALUE', a [section] header or a comment");
        EXPECT_ERRORS("[sysctl]\n= 3\n", "t.conf:2: missing key before '='");
        EXPECT_ERRORS("sshd = 1\n", "t.conf:1: assignment outside of any [section]");
        memset(long_line, 'a', sizeof(long_line));
        memcpy(long_line, "[oom_score_adj]\n", 16);
        strcpy(long_line + 250, " = 1\n");
        EXPECT_ERRORS(long_line,
                      "t.conf:2: line is longer than 198 characters; split it (e.g. into several rules)");
}

static void test_all_errors_reported(void **state) {
        /* One run reports every problem of every file, not just the first. */
        const TestFile files[] = {
                { "a.conf", "[sysctl]\nvm.oom_dump_tasks = 2\n[oom_score_adj]\nx = y\n" },
                { "b.conf", "[nope]\n[rule:r]\nname = [\n" },
        };

        expect_errors(files, 2, (const char *const[]) {
                "a.conf:2: value 2 for 'vm.oom_dump_tasks' is out of range (0..1)",
                "a.conf:4: value 'y' for 'x' is not an integer",
                "b.conf:1: unknown section [nope] (expected [sysctl], [oom_score_adj], [rule:NAME] or [daemon])",
                "b.conf:3: glob '[' in 'name' has an unbalanced '['",
                NULL,
        });
}

static void test_dropin_overrides(void **state) {
        const TestFile files[] = {
                { "vendor.conf",
                  "[sysctl]\nvm.oom_dump_tasks = 1\nvm.panic_on_oom = 0\n"
                  "[rule:ssh]\nname = sshd\nuser = root\noom_score_adj = -1000\n"
                  "[rule:browsers]\nname = chrom* firefox\noom_score_adj = 500\n" },
                /* Same key twice in *different* files is an override, not a duplicate. */
                { "10-site.conf", "[sysctl]\nvm.panic_on_oom = 1\n[rule:ssh]\noom_score_adj = -500\n" },
                { "20-more.conf", "[oom_score_adj]\nfirefox = 100\n" },
        };
        DiagList diag = {};
        _cleanup_policy_ Policy *p = NULL;

        assert_int_equal(build(files, ELEMENTSOF(files), &p, &diag), 0);
        assert_int_equal(p->sysctl[SYSCTL_PANIC_ON_OOM].value, 1);
        assert_string_equal(p->sysctl[SYSCTL_PANIC_ON_OOM].origin.file, "10-site.conf");
        assert_int_equal(p->sysctl[SYSCTL_OOM_DUMP_TASKS].value, 1);
        assert_int_equal(p->n_rules, 3);
        /* Redefinition moves the rule later in precedence. */
        assert_string_equal(p->rules[0].name, "browsers");
        assert_string_equal(p->rules[1].name, "ssh");
        assert_int_equal(p->rules[1].oom_score_adj, -500);
        assert_string_equal(p->rules[1].names[0], "sshd");
        assert_int_equal(p->rules[1].n_uids, 1);
        assert_string_equal(p->rules[1].key_origin[RULE_KEY_NAME].file, "vendor.conf");
        assert_string_equal(p->rules[1].key_origin[RULE_KEY_OOM_SCORE_ADJ].file, "10-site.conf");
        assert_string_equal(p->rules[1].origin.file, "10-site.conf");
        assert_string_equal(p->rules[2].name, "firefox");
        assert_true(p->rules[2].short_form);
        assert_int_equal(diag.n_entries, 0);
        diag_list_done(&diag);
}

static void test_dropin_merged_rule_validated(void **state) {
        /* A drop-in may carry only the keys it changes; the merged rule is checked. */
        const TestFile ok[] = {
                { "a.conf", "[rule:r]\nname = x\n" },
                { "b.conf", "[rule:r]\noom_score_adj = 7\n" },
        };
        const TestFile bad[] = {
                { "a.conf", "[rule:r]\nuser = root\n" },
                { "b.conf", "[rule:r]\noom_score_adj = 7\n" },
        };
        DiagList diag = {};
        _cleanup_policy_ Policy *p = NULL;

        assert_int_equal(build(ok, 2, &p, &diag), 0);
        assert_int_equal(p->rules[0].oom_score_adj, 7);
        diag_list_done(&diag);
        expect_errors(bad, 2, (const char *const[]) {
                "a.conf:1: rule 'r' needs at least one of name, exe, cmdline or cgroup (user alone would match every "
                "process of that user)",
                NULL,
        });
}

/* Found by fuzz-policy: a drop-in redefining a glob key leaked the earlier list
 * (caught by ASan/valgrind when the unit tests run under them). */
static void test_dropin_replaces_globs(void **state) {
        static const TestFile files[] = {
                { "a.conf", "[rule:r]\nname = a1 a2\nexe = /a\ncmdline = a*\ncgroup = /a\noom_score_adj = 1\n" },
                { "b.conf", "[rule:r]\nname = b1\nexe = /b1 /b2\ncmdline = b*\ncgroup = /b\n" },
        };
        _cleanup_(diag_list_done) DiagList diag = {};
        _cleanup_policy_ Policy *p = NULL;

        assert_int_equal(build(files, ELEMENTSOF(files), &p, &diag), 0);
        assert_int_equal(p->n_rules, 1);
        assert_string_equal(p->rules[0].names[0], "b1");
        assert_null(p->rules[0].names[1]);
        assert_string_equal(p->rules[0].exes[1], "/b2");
        assert_string_equal(p->rules[0].cmdlines[0], "b*");
        assert_string_equal(p->rules[0].cgroups[0], "/b");
        assert_int_equal(p->rules[0].oom_score_adj, 1);
        assert_string_equal(p->rules[0].key_origin[RULE_KEY_NAME].file, "b.conf");
}

/* Found by fuzz-policy: a policy without rules sorted a NULL array (UB, caught by UBSan). */
static void test_no_rules(void **state) {
        static const char *const texts[] = { "", "# only a comment\n", "[sysctl]\nvm.oom_dump_tasks = 1\n" };

        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                _cleanup_policy_ Policy *p = build_ok(texts[i]);
                size_t n = 1;

                assert_int_equal(p->n_rules, 0);
                assert_int_equal(p->n_scan_rules, 0);
                assert_null(policy_rules_for_name(p, "sshd", &n));
                assert_int_equal(n, 0);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_dropin_merge_and_mask),
                cmocka_unit_test(test_vendor_fallback_and_missing),
                cmocka_unit_test(test_config_option_reads_only_its_dropins),
                cmocka_unit_test(test_trust_checks),
                cmocka_unit_test(test_policy_load_reports_everything),
                cmocka_unit_test(test_sysctl_d),
                cmocka_unit_test(test_short_form_and_sysctl),
                cmocka_unit_test(test_full_rule),
                cmocka_unit_test(test_oom_adj_conversion),
                cmocka_unit_test(test_daemon_settings),
                cmocka_unit_test(test_error_messages),
                cmocka_unit_test(test_syntax_errors),
                cmocka_unit_test(test_all_errors_reported),
                cmocka_unit_test(test_dropin_overrides),
                cmocka_unit_test(test_dropin_merged_rule_validated),
                cmocka_unit_test(test_dropin_replaces_globs),
                cmocka_unit_test(test_no_rules),
                cmocka_unit_test(test_oomd_preference),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
