/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "test-util.h"
#include "match/matcher.h"

static ProcInfo proc(const char *comm, uid_t uid, const char *exe, const char *cmdline, const char *cgroup) {
        ProcInfo info = { .pid = 100, .uid = uid, .fields = PROC_FIELD_UID | PROC_FIELD_CMDLINE | PROC_FIELD_CGROUP };

        snprintf(info.comm, sizeof(info.comm), "%s", comm);
        info.exe = (char *) exe;
        if (exe)
                info.fields |= PROC_FIELD_EXE;
        info.cmdline = (char *) (cmdline ?: "");
        info.argv0 = (char *) (cmdline ?: "");
        info.cgroup = (char *) (cgroup ?: "/");
        return info;
}

static const char *winner(const Policy *p, const ProcInfo *info) {
        const Rule *r = matcher_find_rule(p, info);
        return r ? r->name : "-";
}

static void test_globs_and_short_form(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy("[oom_score_adj]\nsshd = -1000\nchrom* = 300\nfire[fF]ox = 200\n?ava = 100\n");
        ProcInfo a = proc("sshd", 0, NULL, NULL, NULL), b = proc("chromium", 1000, NULL, NULL, NULL),
                 c = proc("fireFox", 1000, NULL, NULL, NULL), d = proc("java", 0, NULL, NULL, NULL),
                 e = proc("sshd2", 0, NULL, NULL, NULL);

        assert_string_equal(winner(p, &a), "sshd");
        assert_string_equal(winner(p, &b), "chrom*");
        assert_string_equal(winner(p, &c), "fire[fF]ox");
        assert_string_equal(winner(p, &d), "?ava");
        assert_string_equal(winner(p, &e), "-");
}

static void test_qualifiers_and(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:ssh]\nname = sshd\nexe = /usr/sbin/sshd\nuser = root\noom_score_adj = -1000\n"
                "[rule:web]\ncmdline = *--port=80*\ncgroup = /system.slice/web*\noom_score_adj = 100\n");
        ProcInfo real = proc("sshd", 0, "/usr/sbin/sshd", "/usr/sbin/sshd -D", NULL);
        /* Spoofs: right name, wrong user / wrong exe / exe unknown. */
        ProcInfo as_nobody = proc("sshd", 65534, "/usr/sbin/sshd", "/usr/sbin/sshd", NULL);
        ProcInfo copied = proc("sshd", 0, "/tmp/sshd", "sshd", NULL);
        ProcInfo unknown_exe = proc("sshd", 0, NULL, "sshd", NULL);
        ProcInfo web = proc("node", 33, "/usr/bin/node", "node app.js --port=8080", "/system.slice/web.service");
        ProcInfo web_elsewhere = proc("node", 33, "/usr/bin/node", "node app.js --port=80", "/user.slice");
        RuleMatch m;

        assert_string_equal(winner(p, &real), "ssh");
        assert_string_equal(winner(p, &as_nobody), "-");
        assert_string_equal(winner(p, &copied), "-");
        assert_string_equal(winner(p, &unknown_exe), "-");
        assert_string_equal(winner(p, &web), "web");
        assert_string_equal(winner(p, &web_elsewhere), "-");

        assert_false(rule_matches(&p->rules[0], &as_nobody, &m));
        assert_int_equal(m.result[RULE_KEY_NAME], QUALIFIER_MATCHED);
        assert_int_equal(m.result[RULE_KEY_EXE], QUALIFIER_MATCHED);
        assert_int_equal(m.result[RULE_KEY_USER], QUALIFIER_FAILED);
        assert_int_equal(m.result[RULE_KEY_CGROUP], QUALIFIER_ABSENT);
        assert_false(rule_matches(&p->rules[0], &unknown_exe, &m));
        assert_int_equal(m.result[RULE_KEY_EXE], QUALIFIER_UNKNOWN);
        assert_true(rule_matches(&p->rules[0], &real, &m));
        assert_string_equal(m.matched_value, "sshd");
}

static void test_any_glob_in_key(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy("[rule:log]\nname = rsyslogd syslog-ng\nexe = /usr/sbin/rsyslogd /usr/sbin/syslog-ng\n"
                                           "user = root 0\noom_score_adj = -900\n");
        ProcInfo a = proc("syslog-ng", 0, "/usr/sbin/syslog-ng", NULL, NULL);
        ProcInfo b = proc("rsyslogd", 0, "/usr/sbin/syslog-ng", NULL, NULL);

        assert_string_equal(winner(p, &a), "log");
        assert_string_equal(winner(p, &b), "log");   /* OR within a key, AND across keys */
}

static void test_precedence_last_wins(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[oom_score_adj]\nsshd = -1000\n*d = 50\n"
                "[rule:exact-late]\nname = sshd\nuser = 1000\noom_score_adj = 10\n"
                "[rule:glob-late]\nname = ss*\noom_score_adj = 20\n");
        ProcInfo root_sshd = proc("sshd", 0, NULL, NULL, NULL), user_sshd = proc("sshd", 1000, NULL, NULL, NULL),
                 other = proc("crond", 0, NULL, NULL, NULL);

        /* glob-late is defined last and matches both. */
        assert_string_equal(winner(p, &root_sshd), "glob-late");
        assert_string_equal(winner(p, &user_sshd), "glob-late");
        assert_string_equal(winner(p, &other), "*d");
}

static void test_precedence_index_vs_scan(void **state) {
        /* An exact-name rule defined after a glob rule must win over it, and vice versa. */
        _cleanup_policy_ Policy *p = test_build_policy("[oom_score_adj]\nss* = 1\nsshd = 2\nbash = 3\nba* = 4\n");
        ProcInfo a = proc("sshd", 0, NULL, NULL, NULL), b = proc("bash", 0, NULL, NULL, NULL);

        assert_string_equal(winner(p, &a), "sshd");
        assert_string_equal(winner(p, &b), "ba*");
}

static void test_truncated_comm(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[oom_score_adj]\nsystemd-journald = -900\nNetworkManager-dispatcher = 5\n");
        ProcInfo j = proc("systemd-journal", 0, "/usr/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-journald", NULL);
        ProcInfo nm = proc("NetworkManager-", 0, "/usr/libexec/nm-dispatcher", "/usr/libexec/NetworkManager-dispatcher", NULL);
        ProcInfo prefix = proc("systemd-journ", 0, "/usr/lib/systemd/systemd-journald", NULL, NULL);

        assert_string_equal(winner(p, &j), "systemd-journald");
        assert_string_equal(winner(p, &nm), "NetworkManager-dispatcher");
        /* Not 15 characters, so not truncated: no extension. */
        assert_string_equal(winner(p, &prefix), "-");
}

static void test_many_exact_rules(void **state) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        Policy *p;

        assert_non_null(f);
        fprintf(f, "[oom_score_adj]\n");
        for (int i = 0; i < 5000; i++)
                fprintf(f, "proc%d = %d\n", i, i % 1000);
        fprintf(f, "glob* = 7\n");
        assert_int_equal(fclose(f), 0);
        p = test_build_policy(text);
        {
                ProcInfo a = proc("proc4321", 0, NULL, NULL, NULL), b = proc("globby", 0, NULL, NULL, NULL);

                assert_int_equal(matcher_find_rule(p, &a)->oom_score_adj, 321);
                assert_int_equal(matcher_find_rule(p, &b)->oom_score_adj, 7);
                assert_int_equal(p->n_scan_rules, 1);
        }
        policy_free(p);
}

/* The rule the matcher must find, by brute force: the strongest that rule_matches(). */
static const Rule *reference_rule(const Policy *p, const ProcInfo *info) {
        for (size_t i = p->n_rules; i-- > 0;)
                if (rule_matches(&p->rules[i], info, NULL))
                        return &p->rules[i];
        return NULL;
}

static void test_scan_first_pass_agrees(void **state) {
        /* Globbed, literal, several and no names; names with other qualifiers; exact
         * names interleaved, so the scanned rules' positions differ from their indexes. */
        static const char *const names[] = { "ba*", "*sh", "b?sh", "zsh", "dash", "[bz]sh", "f*", "*-journald", "x" };
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        Policy *p;

        assert_non_null(f);
        for (int i = 0; i < 60; i++) {
                fprintf(f, "[rule:r%d]\n", i);
                if (i % 7 != 3)
                        fprintf(f, "name = %s%s%s\n", names[i % 9], i % 4 == 0 ? " " : "", i % 4 == 0 ? names[(i + 4) % 9] : "");
                if (i % 5 == 1)
                        fprintf(f, "user = %d\n", i % 2 ? 0 : 1000);
                if (i % 7 == 3 || i % 6 == 2)
                        fprintf(f, "cmdline = *--r%d*\n", i % 3);
                if (i % 11 == 5)
                        fprintf(f, "exe = /usr/lib/systemd/*\n");
                fprintf(f, "oom_score_adj = %d\n", i);
        }
        assert_int_equal(fclose(f), 0);
        p = test_build_policy(text);
        {
                ProcInfo procs[] = {
                        proc("bash", 0, "/bin/bash", "bash --r1", NULL),
                        proc("bash", 1000, "/bin/bash", "bash", NULL),
                        proc("zsh", 0, "/bin/zsh", "zsh --r2", NULL),
                        proc("dash", 1000, "/bin/dash", "dash --r0", NULL),
                        proc("fish", 0, "/usr/bin/fish", "fish", NULL),
                        proc("x", 0, "/x", "x --r1", NULL),
                        proc("python3", 1000, "/usr/bin/python3", "python3 --r2", NULL),
                        /* Truncated comm: the exe basename is a name too. */
                        proc("systemd-journal", 0, "/usr/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-journald",
                             NULL),
                };

                assert_true(p->n_scan_rules > 0 && p->n_scan_rules < p->n_rules);
                for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
                        const Rule *want = reference_rule(p, &procs[i]);

                        assert_ptr_equal(matcher_find_rule(p, &procs[i]), want);
                        /* The daemon's shortcut may say "maybe" wrongly, never "no" wrongly,
                         * and asks for every field the winning rule looks at. */
                        if (want) {
                                unsigned fields;

                                assert_true(matcher_may_match(p, &procs[i], &fields));
                                assert_int_equal(want->proc_fields & ~fields, 0);
                        }
                }
        }
        policy_free(p);
}

static void test_may_match(void **state) {
        _cleanup_policy_ Policy *exact = test_build_policy("[rule:a]\nname = sshd\nuser = root\noom_score_adj = 1\n");
        _cleanup_policy_ Policy *glob = test_build_policy("[oom_score_adj]\nss* = 1\n");
        _cleanup_policy_ Policy *exe_only = test_build_policy("[oom_score_adj]\nss* = 1\n"
                                                               "[rule:e]\nexe = /usr/bin/*\noom_score_adj = 2\n");
        _cleanup_policy_ Policy *mixed = test_build_policy("[rule:g]\nname = ba?h z*\ncmdline = *--x*\noom_score_adj = 3\n");
        ProcInfo a = proc("sshd", 0, NULL, NULL, NULL), b = proc("bash", 0, NULL, NULL, NULL),
                 c = proc("abcdefghijklmno", 0, NULL, NULL, NULL);

        unsigned fields;

        assert_true(matcher_may_match(exact, &a, &fields));
        assert_int_equal(fields, PROC_FIELD_UID);
        assert_false(matcher_may_match(exact, &b, NULL));
        assert_true(matcher_may_match(exact, &c, &fields));   /* truncated: exe/argv[0] may add names */
        assert_int_equal(fields, PROC_FIELD_UID | PROC_FIELD_EXE | PROC_FIELD_CMDLINE);
        /* Name globs are decided from the comm too; a rule without a name can match anything. */
        assert_true(matcher_may_match(glob, &a, &fields));
        assert_int_equal(fields, 0);
        assert_false(matcher_may_match(glob, &b, NULL));
        assert_true(matcher_may_match(glob, &c, NULL));
        assert_true(matcher_may_match(exe_only, &b, &fields));
        assert_int_equal(fields, PROC_FIELD_EXE);
        assert_true(matcher_may_match(mixed, &b, &fields));
        assert_int_equal(fields, PROC_FIELD_CMDLINE);
        assert_false(matcher_may_match(mixed, &a, NULL));
}

/* Only what the rules that could match need is read: a name-only rule costs no
 * status/exe/cmdline/cgroup read even when other rules of the policy need them. */
static void test_may_match_fields(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[oom_score_adj]\nplain = 1\n"
                "[rule:ssh]\nname = sshd\nuser = root\nexe = /usr/sbin/sshd\noom_score_adj = -1000\n"
                "[rule:web]\nname = ngin?\ncgroup = /system.slice/*\noom_score_adj = 5\n"
                "[rule:both]\nname = sshd\ncmdline = *-D*\noom_score_adj = 7\n");
        ProcInfo plain = proc("plain", 0, NULL, NULL, NULL), sshd = proc("sshd", 0, NULL, NULL, NULL),
                 nginx = proc("nginx", 0, NULL, NULL, NULL);
        unsigned fields;

        assert_int_equal(p->proc_fields, PROC_FIELD_ALL);
        assert_true(matcher_may_match(p, &plain, &fields));
        assert_int_equal(fields, 0);
        assert_true(matcher_may_match(p, &sshd, &fields));
        assert_int_equal(fields, PROC_FIELD_UID | PROC_FIELD_EXE | PROC_FIELD_CMDLINE);
        assert_true(matcher_may_match(p, &nginx, &fields));
        assert_int_equal(fields, PROC_FIELD_CGROUP);
}

/* Whatever path found the rule, the match records the first glob (in the rule's
 * order) of each qualifier that matched, pointing into the rule. */
static void test_recorded_globs_index_path(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:ssh]\nname = sshd sshd-session\nexe = /opt/* /usr/lib/openssh/* /usr/*\n"
                "cmdline = *-D* *sshd-session*\ncgroup = /user.slice/* /system.slice/ssh*\nuser = 1000 root 0\n"
                "oom_score_adj = -1000\n");
        ProcInfo info = proc("sshd-session", 0, "/usr/lib/openssh/sshd-session", "sshd-session: root@pts/0",
                             "/system.slice/ssh.service");
        const Rule *rule = &p->rules[0];
        RuleMatch m;

        assert_int_equal(p->n_scan_rules, 0);   /* found through the exact-name index */
        assert_ptr_equal(matcher_find_match(p, &info, &m), rule);
        assert_true(m.matched);
        assert_ptr_equal(m.matched_glob[RULE_KEY_NAME], rule->names[1]);
        assert_string_equal(m.matched_value, "sshd-session");
        assert_ptr_equal(m.matched_glob[RULE_KEY_EXE], rule->exes[1]);   /* the first that matches */
        assert_ptr_equal(m.matched_glob[RULE_KEY_CMDLINE], rule->cmdlines[1]);
        assert_ptr_equal(m.matched_glob[RULE_KEY_CGROUP], rule->cgroups[1]);
        /* user: the entry as written whose uid is the process's, the first of two */
        assert_ptr_equal(m.matched_glob[RULE_KEY_USER], rule->user_names[1]);
        assert_string_equal(m.matched_glob[RULE_KEY_USER], "root");
        assert_int_equal(rule->uids[1], info.uid);
        assert_null(m.matched_glob[RULE_KEY_OOM_SCORE_ADJ]);
        assert_null(m.matched_glob[RULE_KEY_CHILDREN]);
}

static void test_recorded_globs_scan_path(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:web]\nname = ngin? node* nodejs\ncmdline = *--port=80 *--port=8080*\noom_score_adj = 100\n"
                "[rule:journal]\nname = *-journald\nexe = /usr/lib/systemd/*\noom_score_adj = -900\n");
        ProcInfo node = proc("nodejs", 33, "/usr/bin/node", "nodejs app.js --port=8080", NULL);
        /* A 15-character comm: the name matched is the exe's basename. */
        ProcInfo journald = proc("systemd-journal", 0, "/usr/lib/systemd/systemd-journald", "/lib/systemd/systemd-journald",
                                 NULL);
        RuleMatch m;

        assert_int_equal(p->n_scan_rules, 2);
        assert_ptr_equal(matcher_find_match(p, &node, &m), &p->rules[0]);
        assert_ptr_equal(m.matched_glob[RULE_KEY_NAME], p->rules[0].names[1]);   /* node*, before the literal */
        assert_string_equal(m.matched_value, "nodejs");
        assert_ptr_equal(m.matched_glob[RULE_KEY_CMDLINE], p->rules[0].cmdlines[1]);
        assert_int_equal(m.result[RULE_KEY_EXE], QUALIFIER_ABSENT);
        assert_null(m.matched_glob[RULE_KEY_EXE]);
        assert_int_equal(m.result[RULE_KEY_USER], QUALIFIER_ABSENT);
        assert_null(m.matched_glob[RULE_KEY_USER]);

        assert_ptr_equal(matcher_find_match(p, &journald, &m), &p->rules[1]);
        assert_string_equal(m.matched_glob[RULE_KEY_NAME], "*-journald");
        assert_string_equal(m.matched_value, "systemd-journald");
        assert_string_equal(m.matched_glob[RULE_KEY_EXE], "/usr/lib/systemd/*");
}

/* Only a matched qualifier has a glob; no rule found leaves nothing behind. */
static void test_recorded_globs_failures(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:ssh]\nname = sshd\nexe = /usr/sbin/sshd\nuser = root\ncgroup = /system.slice/*\n"
                "oom_score_adj = -1000\n");
        ProcInfo spoof = proc("sshd", 1000, "/tmp/sshd", NULL, "/system.slice/x.service");
        ProcInfo hidden = proc("sshd", 0, NULL, NULL, NULL);
        RuleMatch m;

        assert_false(rule_matches(&p->rules[0], &spoof, &m));
        assert_false(m.matched);
        assert_string_equal(m.matched_glob[RULE_KEY_NAME], "sshd");
        assert_int_equal(m.result[RULE_KEY_EXE], QUALIFIER_FAILED);
        assert_null(m.matched_glob[RULE_KEY_EXE]);
        assert_int_equal(m.result[RULE_KEY_USER], QUALIFIER_FAILED);
        assert_null(m.matched_glob[RULE_KEY_USER]);
        /* checked on although the rule had failed already */
        assert_string_equal(m.matched_glob[RULE_KEY_CGROUP], "/system.slice/*");

        assert_false(rule_matches(&p->rules[0], &hidden, &m));
        assert_int_equal(m.result[RULE_KEY_EXE], QUALIFIER_UNKNOWN);
        assert_null(m.matched_glob[RULE_KEY_EXE]);

        memset(&m, 0x5a, sizeof(m));
        assert_null(matcher_find_match(p, &spoof, &m));
        assert_false(m.matched);
        assert_null(m.matched_value);
        for (RuleKey k = 0; k < _RULE_KEY_MAX; k++) {
                assert_int_equal(m.result[k], QUALIFIER_ABSENT);
                assert_null(m.matched_glob[k]);
        }
}

/* The daemon's check stops at the first failing qualifier and records nothing;
 * the recording one checks them all. Both must give the same verdict. */
static void test_quick_and_recorded_agree(void **state) {
        _cleanup_policy_ Policy *p = test_build_policy(
                "[rule:a]\nname = sshd\nexe = /usr/sbin/*\nuser = root\noom_score_adj = 1\n"
                "[rule:b]\nname = ss*\ncmdline = *-D*\ncgroup = /system.slice/*\noom_score_adj = 2\n"
                "[rule:c]\nexe = /usr/*\nuser = 1000\noom_score_adj = 3\n"
                "[oom_score_adj]\nsshd = 4\n");
        ProcInfo procs[] = {
                proc("sshd", 0, "/usr/sbin/sshd", "sshd -D", "/system.slice/ssh.service"),
                proc("sshd", 1000, "/usr/sbin/sshd", "sshd", "/user.slice"),
                proc("sshd", 0, NULL, "sshd -D", "/system.slice/ssh.service"),
                proc("ssh", 1000, "/usr/bin/ssh", "ssh -D 1080 host", "/user.slice"),
                proc("bash", 1000, "/usr/bin/bash", "bash", NULL),
                proc("bash", 0, NULL, NULL, NULL),
        };

        for (size_t i = 0; i < ELEMENTSOF(procs); i++) {
                const Rule *found = matcher_find_rule(p, &procs[i]);
                RuleMatch m;

                for (size_t k = 0; k < p->n_rules; k++) {
                        bool quick = rule_matches(&p->rules[k], &procs[i], NULL);

                        assert_int_equal(rule_matches(&p->rules[k], &procs[i], &m), quick);
                        assert_int_equal(m.matched, quick);
                }
                assert_ptr_equal(matcher_find_match(p, &procs[i], &m), found);
                assert_int_equal(m.matched, found != NULL);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_globs_and_short_form),
                cmocka_unit_test(test_qualifiers_and),
                cmocka_unit_test(test_any_glob_in_key),
                cmocka_unit_test(test_precedence_last_wins),
                cmocka_unit_test(test_precedence_index_vs_scan),
                cmocka_unit_test(test_truncated_comm),
                cmocka_unit_test(test_many_exact_rules),
                cmocka_unit_test(test_scan_first_pass_agrees),
                cmocka_unit_test(test_may_match),
                cmocka_unit_test(test_may_match_fields),
                cmocka_unit_test(test_recorded_globs_index_path),
                cmocka_unit_test(test_recorded_globs_scan_path),
                cmocka_unit_test(test_recorded_globs_failures),
                cmocka_unit_test(test_quick_and_recorded_agree),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
