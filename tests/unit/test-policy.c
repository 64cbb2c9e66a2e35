/* SPDX-License-Identifier: MIT */
/* The policy model on its own: its validation and the index the matcher reads.
 * Reading policy files into it (the builder) is tested in test-config.c. */
#include <string.h>
#include <syslog.h>

#include "test-util.h"
#include "policy/policy.h"
#include "proc/proc-info.h"
#include "shared/strv.h"

/* Asserts that exactly these diagnostics (in order) are in diag, and empties it. */
static void expect_diag(DiagList *diag, const char *const *expected) {
        size_t n_expected = 0;

        while (expected[n_expected])
                n_expected++;
        if (diag->n_entries != n_expected)
                diag_list_print(diag, stderr);
        assert_int_equal(diag->n_entries, n_expected);
        for (size_t i = 0; i < n_expected; i++) {
                _cleanup_free_ char *s = diag_entry_format(&diag->entries[i]);
                assert_string_equal(s, expected[i]);
        }
        diag_list_done(diag);
        *diag = (DiagList) {};
}

#define EXPECT_DIAG(diag, ...) expect_diag((diag), (const char *const[]) { __VA_ARGS__, NULL })

static void test_daemon_settings_default(void **state) {
        DaemonSettings s;

        memset(&s, 0xff, sizeof(s));
        daemon_settings_init_default(&s);
        assert_int_equal(s.rescan_interval_sec, 300);
        assert_int_equal(s.self_oom_score_adj, OOM_SCORE_ADJ_MIN);
        assert_int_equal(s.default_oom_score_adj, 0);
        assert_int_equal(s.log_level, LOG_INFO);
        assert_null(s.metrics_file);
        assert_true(s.watch_kernel_log);
        assert_false(s.restore_on_exit);
        for (DaemonKey k = 0; k < _DAEMON_KEY_MAX; k++)
                assert_null(s.origin[k].file);
}

static void test_rule_validate(void **state) {
        const Origin where = { "a.conf", 3 }, later = { "b.conf", 7 };
        Rule rule = { .name = (char *) "x" };
        DiagList diag = {};

        /* Both problems, in this order, at the given place. */
        assert_int_equal(rule_validate(&rule, where, &diag), 0);
        EXPECT_DIAG(&diag,
                    "a.conf:3: rule 'x' needs at least one of name, exe, cmdline or cgroup (user alone would match every "
                    "process of that user)",
                    "a.conf:3: rule 'x' sets no oom_score_adj");

        rule.key_origin[RULE_KEY_USER] = later;
        rule.key_origin[RULE_KEY_OOM_SCORE_ADJ] = later;
        assert_int_equal(rule_validate(&rule, where, &diag), 0);
        EXPECT_DIAG(&diag,
                    "a.conf:3: rule 'x' needs at least one of name, exe, cmdline or cgroup (user alone would match every "
                    "process of that user)");

        /* Any one of the four qualifiers will do; set means "has an origin". */
        for (RuleKey k = RULE_KEY_NAME; k <= RULE_KEY_CGROUP; k++) {
                if (k == RULE_KEY_USER)
                        continue;
                rule.key_origin[k] = later;
                assert_int_equal(rule_validate(&rule, where, &diag), 0);
                assert_int_equal(diag.n_entries, 0);
                rule.key_origin[k] = (Origin) {};
        }

        rule = (Rule) { .name = (char *) "chrom*", .short_form = true };
        rule.key_origin[RULE_KEY_NAME] = later;
        assert_int_equal(rule_validate(&rule, where, &diag), 0);
        EXPECT_DIAG(&diag, "a.conf:3: [oom_score_adj] entry 'chrom*' sets no oom_score_adj");
}

static void test_sysctl_settings_validate(void **state) {
        SysctlSetting sysctl[_SYSCTL_MAX] = {};
        DiagList diag = {};

        assert_int_equal(sysctl_settings_validate(sysctl, &diag), 0);
        sysctl[SYSCTL_OVERCOMMIT_RATIO] = (SysctlSetting) { .set = true, .value = 50, .origin = { "a.conf", 2 } };
        sysctl[SYSCTL_OVERCOMMIT_MEMORY] = (SysctlSetting) { .set = true, .value = 2, .origin = { "a.conf", 3 } };
        assert_int_equal(sysctl_settings_validate(sysctl, &diag), 0);
        assert_int_equal(diag.n_entries, 0);

        /* Reported at the kbytes line, naming where the ratio was set. */
        sysctl[SYSCTL_OVERCOMMIT_KBYTES] = (SysctlSetting) { .set = true, .value = 1000, .origin = { "b.conf", 5 } };
        assert_int_equal(sysctl_settings_validate(sysctl, &diag), 0);
        EXPECT_DIAG(&diag,
                    "b.conf:5: vm.overcommit_kbytes and vm.overcommit_ratio (set at a.conf:2) exclude each other: "
                    "writing one makes the kernel zero the other; set only one");
}

static char **words(const char *s) {
        char **l = NULL;

        assert_int_equal(strv_split_blank(s, &l), 0);
        return l;
}

/* A Policy assembled by hand, without any file: the model does not need the builder. */
static void test_build_index_by_hand(void **state) {
        _cleanup_policy_ Policy *p = calloc(1, sizeof(Policy));
        const size_t *idx;
        size_t n;

        assert_non_null(p);
        p->n_rules = 4;
        p->rules = calloc(p->n_rules, sizeof(Rule));
        assert_non_null(p->rules);
        p->rules[0] = (Rule) { .name = strdup("a"), .names = words("sshd bash") };
        p->rules[1] = (Rule) { .name = strdup("b"), .names = words("ss* sshd"), .cmdlines = words("*-D*") };
        p->rules[2] = (Rule) { .name = strdup("c"), .exes = words("/usr/sbin/*") };
        p->rules[3] = (Rule) { .name = strdup("d"), .names = words("sshd"), .cgroups = words("/system.slice/*") };
        p->rules[3].uids = calloc(1, sizeof(uid_t));
        p->rules[3].n_uids = 1;
        p->rules[3].user_names = words("root");

        assert_int_equal(policy_build_index(p), 0);
        for (size_t i = 0; i < p->n_rules; i++)
                assert_int_equal(p->rules[i].index, i);
        assert_int_equal(p->rules[0].proc_fields, 0);
        assert_int_equal(p->rules[1].proc_fields, PROC_FIELD_CMDLINE);
        assert_int_equal(p->rules[2].proc_fields, PROC_FIELD_EXE);
        assert_int_equal(p->rules[3].proc_fields, PROC_FIELD_UID | PROC_FIELD_CGROUP);
        assert_int_equal(p->proc_fields, PROC_FIELD_ALL);

        idx = policy_rules_for_name(p, "sshd", &n);
        assert_int_equal(n, 2);          /* not b: one glob makes the whole rule a scanned one */
        assert_int_equal(idx[0], 3);
        assert_int_equal(idx[1], 0);
        assert_int_equal(p->n_scan_rules, 2);
        assert_int_equal(p->scan_rules[0], 2);
        assert_int_equal(p->scan_rules[1], 1);
        assert_null(policy_scan_names(p, 0));
        assert_string_equal(policy_scan_names(p, 1)[0], "ss*");
        assert_string_equal(policy_scan_names(p, 1)[1], "sshd");
        assert_null(policy_scan_names(p, 1)[2]);
}

static void test_name_index(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[oom_score_adj]\nsshd = 1\nfoo* = 2\n"
                "[rule:a]\nname = sshd bash\noom_score_adj = 3\n"
                "[rule:b]\nexe = /bin/*\noom_score_adj = 4\n");
        const size_t *idx;
        size_t n;

        idx = policy_rules_for_name(p, "sshd", &n);
        assert_int_equal(n, 2);
        assert_int_equal(idx[0], 2);   /* rule a, strongest first */
        assert_int_equal(idx[1], 0);
        idx = policy_rules_for_name(p, "bash", &n);
        assert_int_equal(n, 1);
        assert_int_equal(idx[0], 2);
        assert_null(policy_rules_for_name(p, "foo", &n));
        assert_int_equal(n, 0);
        assert_int_equal(p->n_scan_rules, 2);
        assert_int_equal(p->scan_rules[0], 3);
        assert_int_equal(p->scan_rules[1], 1);
}

static void test_scan_names(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[oom_score_adj]\nfoo* = 2\nsshd = 1\n"
                "[rule:a]\nname = ba?h zsh b[aeiou]sh\nuser = root\noom_score_adj = 3\n"
                "[rule:b]\nexe = /bin/*\noom_score_adj = 4\n"
                "[rule:c]\nname = x*\ncmdline = *--x*\noom_score_adj = 5\n");
        const char *const *g;

        /* Scan order is strongest first: c, b, a, foo*. */
        assert_int_equal(p->n_scan_rules, 4);
        g = policy_scan_names(p, 0);
        assert_non_null(g);
        assert_string_equal(g[0], "x*");
        assert_null(g[1]);
        assert_null(policy_scan_names(p, 1));   /* b: no name qualifier */
        g = policy_scan_names(p, 2);
        assert_non_null(g);
        assert_string_equal(g[0], "ba?h");
        assert_string_equal(g[1], "zsh");       /* literal names of a scanned rule are kept too */
        assert_string_equal(g[2], "b[aeiou]sh");
        assert_null(g[3]);
        g = policy_scan_names(p, 3);
        assert_non_null(g);
        assert_string_equal(g[0], "foo*");
        assert_null(g[1]);
        /* Copies, not the rules' own strings. */
        assert_ptr_not_equal(policy_scan_names(p, 3)[0], p->rules[p->scan_rules[3]].names[0]);
}

static void test_glob_check(void **state) {
        assert_null(glob_check("abc"));
        assert_null(glob_check("a[bc]d"));
        assert_null(glob_check("a[]]"));
        assert_null(glob_check("a[!x]"));
        assert_null(glob_check("a\\[b"));
        assert_non_null(glob_check("a[bc"));
        assert_non_null(glob_check("abc\\"));
        assert_true(glob_is_literal("sshd"));
        assert_false(glob_is_literal("ssh?"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_daemon_settings_default),
                cmocka_unit_test(test_rule_validate),
                cmocka_unit_test(test_sysctl_settings_validate),
                cmocka_unit_test(test_build_index_by_hand),
                cmocka_unit_test(test_name_index),
                cmocka_unit_test(test_scan_names),
                cmocka_unit_test(test_glob_check),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
