/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "test-util.h"
#include "config/policy-builder.h"
#include "policy/policy-lint.h"
#include "shared/macro.h"

static size_t count(const LintList *l, LintId id) {
        size_t n = 0;

        for (size_t i = 0; i < l->n_lints; i++)
                n += l->lints[i].id == id;
        return n;
}

static const Lint *first(const LintList *l, LintId id) {
        for (size_t i = 0; i < l->n_lints; i++)
                if (l->lints[i].id == id)
                        return &l->lints[i];
        return NULL;
}

static void lint_text(const char *text, LintList *l) {
        _cleanup_policy_ Policy *p = test_build_policy(text);

        assert_int_equal(policy_lint(p, l), 0);
        assert_int_equal(policy_lint_kubelet_sysctl(p, l), 0);
}

static char *read_all(const char *path, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        char *buf;
        long n;

        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        assert_true(n >= 0);
        rewind(f);
        buf = malloc((size_t) n + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) n, f), (size_t) n);
        buf[n] = '\0';
        fclose(f);
        *ret_len = (size_t) n;
        return buf;
}

/* The shipped main file, with the Kubernetes profile as a drop-in or not. */
static Policy *shipped(bool with_profile) {
        static const char *const files[] = { "conf/oompolicy.conf", "conf/profiles/kubernetes-node.conf" };
        PolicyBuilder *b = NULL;
        DiagList diag = {};
        Policy *p = NULL;

        assert_int_equal(policy_builder_new(&b), 0);
        for (size_t i = 0; i < (with_profile ? 2u : 1u); i++) {
                _cleanup_free_ char *path = NULL, *content = NULL;
                size_t len;

                assert_true(asprintf(&path, "%s/../../%s", TEST_DATADIR, files[i]) > 0);
                content = read_all(path, &len);
                assert_int_equal(policy_builder_add_file(b, files[i], content, len, &diag), 0);
        }
        if (policy_builder_finish(b, &p, &diag) < 0)
                diag_list_print(&diag, stderr);
        assert_non_null(p);
        assert_int_equal(diag.n_errors, 0);
        diag_list_done(&diag);
        policy_builder_free(b);
        return p;
}

static void test_ids(void **state) {
        (void) state;
        for (LintId id = 0; id < _LINT_MAX; id++)
                assert_int_equal(lint_id_from_string(lint_id_to_string(id)), id);
        assert_string_equal(lint_id_to_string(LINT_SHADOWED_RULE), "shadowed-rule");
        assert_int_equal(lint_id_from_string("nope"), _LINT_INVALID);
        assert_null(lint_id_to_string(_LINT_MAX));
}

static void test_unqualified(void **state) {
        LintList l = {};
        const Lint *x;

        (void) state;
        lint_text("[oom_score_adj]\nsshd = -1000\n"
                  "[rule:db]\ncgroup = /system.slice/postgresql*\noom_score_adj = -500\n"
                  "[rule:cmd]\ncmdline = *java*\nuser = root\noom_score_adj = -100\n"
                  "[rule:exe-only]\nexe = /usr/bin/x\noom_score_adj = -100\n"
                  "[rule:ok]\nname = sshd\nexe = /usr/sbin/sshd\nuser = root\noom_score_adj = -1000\n"
                  "[rule:ok-user]\nexe = /usr/lib/postgresql/*\nuser = 0\noom_score_adj = -900\n"
                  "[rule:victim]\nname = chrome\noom_score_adj = 500\n",
                  &l);
        assert_int_equal(count(&l, LINT_UNQUALIFIED_PROTECTION), 4);
        x = first(&l, LINT_UNQUALIFIED_PROTECTION);
        assert_string_equal(x->rule, "sshd");
        assert_string_equal(x->file, "t.conf");
        assert_int_equal(x->line, 2);
        assert_non_null(strstr(x->suggestion, "user = root"));
        assert_int_equal(count(&l, LINT_SHADOWED_RULE), 0);
        lint_list_done(&l);
}

static void test_shadowed(void **state) {
        LintList l = {};
        const Lint *x;

        (void) state;
        lint_text("[rule:a]\nname = foo bar\nexe = /usr/bin/foo\nuser = root\noom_score_adj = -500\n"
                  /* wider: no exe, same names plus more, all users */
                  "[rule:b]\nname = bar foo baz\noom_score_adj = 100\n"
                  /* not covered: b has a name qualifier, c has none */
                  "[rule:c]\ncgroup = /system.slice/*\nuser = root\nexe = /x\noom_score_adj = -10\n"
                  /* glob rules: identical glob, later */
                  "[rule:g1]\nname = web*\noom_score_adj = 10\n"
                  "[rule:g2]\nname = web*\ncgroup = /x\noom_score_adj = 20\n"   /* narrower: not covering g1 */
                  "[rule:g3]\nname = web* other\noom_score_adj = 30\n"         /* covers g1 and g2 */
                  /* users: subset */
                  "[rule:u1]\nname = q\nuser = root\nexe = /q\noom_score_adj = -5\n"
                  "[rule:u2]\nname = q\nuser = root 1\nexe = /q\noom_score_adj = -6\n"
                  /* a later star covers any name */
                  "[rule:s1]\nname = zzz\ncgroup = /a\noom_score_adj = 1\n"
                  "[rule:s2]\nname = *\ncgroup = /a\noom_score_adj = 2\n",
                  &l);
        assert_int_equal(count(&l, LINT_SHADOWED_RULE), 5);
        x = first(&l, LINT_SHADOWED_RULE);
        assert_string_equal(x->rule, "a");
        assert_non_null(strstr(x->message, "'b'"));
        for (size_t i = 0; i < l.n_lints; i++)
                if (l.lints[i].id == LINT_SHADOWED_RULE) {
                        const char *n = l.lints[i].rule;
                        assert_true(strcmp(n, "a") == 0 || strcmp(n, "g1") == 0 || strcmp(n, "g2") == 0 ||
                                    strcmp(n, "u1") == 0 || strcmp(n, "s1") == 0);
                }
        lint_list_done(&l);
}

static void test_covers(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:x]\nname = a\nexe = /a\noom_score_adj = 1\n"
                "[rule:y]\nname = a\noom_score_adj = 2\n"
                "[rule:z]\nexe = /a\noom_score_adj = 3\n");

        (void) state;
        assert_true(rule_covers(&p->rules[1], &p->rules[0]));
        assert_false(rule_covers(&p->rules[0], &p->rules[1]));
        assert_false(rule_covers(&p->rules[1], &p->rules[2]));
        assert_true(rule_covers(&p->rules[2], &p->rules[0]));
        assert_true(rule_covers(&p->rules[0], &p->rules[0]));
}

static void test_kubelet_sysctl(void **state) {
        LintList l = {};

        (void) state;
        lint_text("[sysctl]\nvm.overcommit_memory = 2\nvm.panic_on_oom = 0\nkernel.panic = 0\n", &l);
        assert_int_equal(count(&l, LINT_KUBELET_SYSCTL), 2);
        assert_int_equal(l.lints[0].line, 2);
        assert_non_null(strstr(l.lints[0].message, "vm.overcommit_memory = 2"));
        assert_null(l.lints[0].rule);
        lint_list_done(&l);

        lint_text("[sysctl]\nvm.overcommit_memory = 1\nkernel.panic = 10\nvm.oom_dump_tasks = 1\n", &l);
        assert_int_equal(l.n_lints, 0);
        lint_list_done(&l);
}

static void test_shipped_quiet(void **state) {
        (void) state;
        for (int profile = 0; profile <= 1; profile++) {
                _cleanup_policy_ Policy *p = shipped(profile);
                LintList l = {};

                assert_int_equal(policy_lint(p, &l), 0);
                assert_int_equal(policy_lint_kubelet_sysctl(p, &l), 0);
                for (size_t i = 0; i < l.n_lints; i++)
                        fprintf(stderr, "unexpected: %s: %s\n", lint_id_to_string(l.lints[i].id), l.lints[i].message);
                assert_int_equal(l.n_lints, 0);
                lint_list_done(&l);
        }
}

static void test_profile_values(void **state) {
        _cleanup_policy_ Policy *p = shipped(true);
        size_t n_999 = 0;

        (void) state;
        for (size_t i = 0; i < p->n_rules; i++) {
                const Rule *r = &p->rules[i];

                /* Confined to the host's own services and sessions, never pods. */
                assert_non_null(r->cgroups);
                for (char **g = r->cgroups; *g; g++)
                        assert_null(strstr(*g, "kubepods"));
                if (strcmp(r->name, "sshd") != 0 && strcmp(r->name, "syslog") != 0)
                        assert_int_equal(r->children, CHILDREN_INHERIT);
                n_999 += r->oom_score_adj == -999;
        }
        assert_int_equal(n_999, 4);
        for (SysctlId id = 0; id < _SYSCTL_MAX; id++)
                assert_false(p->sysctl[id].set);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ids),
                cmocka_unit_test(test_unqualified),
                cmocka_unit_test(test_shadowed),
                cmocka_unit_test(test_covers),
                cmocka_unit_test(test_kubelet_sysctl),
                cmocka_unit_test(test_shipped_quiet),
                cmocka_unit_test(test_profile_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
