/* SPDX-License-Identifier: MIT */
/* check --as: a file checked as if installed at a path of the policy. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"
#include "config/conf-files.h"
#include "config/conf-place.h"
#include "config/policy-load.h"
#include "shared/paths.h"
#include "shared/strv.h"

static void classify_ok(const char *config, const char *installed, ConfPlaceKind kind, size_t dir, const char *name) {
        ConfPlace p = {};

        assert_int_equal(conf_place_classify(config, installed, &p), 0);
        assert_int_equal(p.kind, kind);
        if (kind == CONF_PLACE_DROPIN) {
                assert_int_equal(p.dir_index, dir);
                assert_string_equal(p.name, name);
        }
}

static void classify_bad(const char *config, const char *installed) {
        ConfPlace p = {};

        assert_int_equal(conf_place_classify(config, installed, &p), -EXDEV);
}

static void test_classify(void **state) {
        classify_ok(NULL, POLICY_FILE, CONF_PLACE_MAIN, 0, NULL);
        classify_ok(NULL, VENDOR_POLICY_FILE, CONF_PLACE_MAIN, 0, NULL);
        classify_ok(NULL, "/" POLICY_FILE, CONF_PLACE_MAIN, 0, NULL);
        classify_ok(NULL, POLICY_DROPIN_DIR "/50-site.conf", CONF_PLACE_DROPIN, 0, "50-site.conf");
        classify_ok(NULL, POLICY_DROPIN_DIR "//./50-site.conf", CONF_PLACE_DROPIN, 0, "50-site.conf");
        classify_ok(NULL, POLICY_RUNTIME_DROPIN_DIR "/a.conf", CONF_PLACE_DROPIN, 1, "a.conf");
        classify_ok(NULL, VENDOR_DROPIN_DIR "/a.conf", CONF_PLACE_DROPIN, 2, "a.conf");
        classify_ok("/srv/p.conf", "/srv/p.conf", CONF_PLACE_MAIN, 0, NULL);
        classify_ok("/srv/p.conf", "/srv/p.conf.d/10-x.conf", CONF_PLACE_DROPIN, 0, "10-x.conf");
        classify_ok("p.conf", "./p.conf.d/10-x.conf", CONF_PLACE_DROPIN, 0, "10-x.conf");

        classify_bad(NULL, "/tmp/50-site.conf");
        classify_bad(NULL, POLICY_DROPIN_DIR "/50-site.txt");
        classify_bad(NULL, POLICY_DROPIN_DIR "/.conf");
        classify_bad(NULL, POLICY_DROPIN_DIR "/.hidden.conf");
        classify_bad(NULL, POLICY_DROPIN_DIR "/sub/50-site.conf");
        classify_bad(NULL, POLICY_DROPIN_DIR "/50-site.conf/");
        classify_bad(NULL, POLICY_DROPIN_DIR);
        classify_bad(NULL, "50-site.conf");
        /* With --config, only its own main file and drop-in directory. */
        classify_bad("/srv/p.conf", POLICY_FILE);
        classify_bad("/srv/p.conf", POLICY_DROPIN_DIR "/50-site.conf");
}

static void test_describe_valid(void **state) {
        _cleanup_free_ char *d = conf_place_describe_valid(NULL), *c = conf_place_describe_valid("/srv/p.conf");

        assert_non_null(d);
        assert_non_null(strstr(d, POLICY_FILE));
        assert_non_null(strstr(d, POLICY_DROPIN_DIR));
        assert_non_null(strstr(d, POLICY_RUNTIME_DROPIN_DIR));
        assert_non_null(strstr(d, VENDOR_DROPIN_DIR));
        assert_string_equal(c, "the main file /srv/p.conf, or NAME.conf in /srv/p.conf.d");
}

static void test_put_dropin(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        size_t i = SIZE_MAX;

        assert_int_equal(strv_extend(&l, "/etc/o.conf"), 0);
        assert_int_equal(conf_place_put_dropin(&l, "/etc/o.conf.d/50-b.conf", &i), 0);   /* into an empty list */
        assert_int_equal(i, 1);
        assert_int_equal(conf_place_put_dropin(&l, "/usr/lib/o.conf.d/10-a.conf", &i), 0);
        assert_int_equal(i, 1);
        assert_int_equal(conf_place_put_dropin(&l, "/run/o.conf.d/99-z.conf", &i), 0);
        assert_int_equal(i, 3);
        /* The same name from another directory takes the place of the listed one. */
        assert_int_equal(conf_place_put_dropin(&l, "/etc/o.conf.d/10-a.conf", &i), 0);
        assert_int_equal(i, 1);
        assert_int_equal(strv_length(l), 4);
        assert_string_equal(l[0], "/etc/o.conf");
        assert_string_equal(l[1], "/etc/o.conf.d/10-a.conf");
        assert_string_equal(l[2], "/etc/o.conf.d/50-b.conf");
        assert_string_equal(l[3], "/run/o.conf.d/99-z.conf");
        assert_null(l[4]);
}

/* ---- the whole load, on a fake installed tree ---- */

#define SHIPPED "[rule:sshd]\nname = sshd\nexe = /usr/sbin/sshd\nuser = root\noom_score_adj = -900\n"

typedef struct Tree {
        char *root;
        char *tmp;        /* where config management puts its temporary copy */
} Tree;

static void tree_setup(Tree *t) {
        if (geteuid() != 0) {
                print_message("skipped: policy files must be owned by root, which only root can create\n");
                skip();
        }
        t->root = test_mkdtemp();
        t->tmp = test_mkdtemp();
        test_write_file(t->root, POLICY_FILE, "[sysctl]\nvm.panic_on_oom = 0\n", 0644);
        test_write_file(t->root, VENDOR_DROPIN_DIR "/10-sshd.conf", SHIPPED, 0644);
        test_write_file(t->root, POLICY_DROPIN_DIR "/20-web.conf", "[oom_score_adj]\nnginx = 100\n", 0644);
}

static void tree_done(Tree *t) {
        test_rm_rf(t->root);
        test_rm_rf(t->tmp);
        free(t->root);
        free(t->tmp);
}

/* The candidate as config management leaves it: not root's mode, a random name. */
static char *candidate(const Tree *t, const char *content) {
        test_write_file(t->tmp, "ansible.Xy12", content, 0600);
        return test_path(t->tmp, "ansible.Xy12");
}

static int load_as(const Tree *t, const char *config, const char *installed, const char *file, Policy **ret,
                   DiagList *diag) {
        return policy_load_as(t->root, config, &(const PolicySubstitution) { .installed_path = installed, .file = file },
                              ret, diag);
}

static const Rule *find_rule(const Policy *p, const char *name) {
        for (size_t i = 0; i < p->n_rules; i++)
                if (strcmp(p->rules[i].name, name) == 0)
                        return &p->rules[i];
        return NULL;
}

static void test_replace_existing_dropin(void **state) {
        Tree t = {};
        _cleanup_free_ char *file = NULL;
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};

        tree_setup(&t);
        file = candidate(&t, "[oom_score_adj]\napache2 = 200\n");
        assert_int_equal(load_as(&t, NULL, POLICY_DROPIN_DIR "/20-web.conf", file, &p, &diag), 0);
        assert_int_equal(strv_length(p->files), 3);
        assert_non_null(strstr(p->files[2], POLICY_DROPIN_DIR "/20-web.conf (checking "));
        assert_non_null(strstr(p->files[2], "ansible.Xy12)"));
        assert_non_null(find_rule(p, "apache2"));
        assert_null(find_rule(p, "nginx"));   /* the installed copy is replaced, not read too */
        assert_non_null(find_rule(p, "sshd"));
        diag_list_done(&diag);
        tree_done(&t);
}

static void test_add_new_dropin(void **state) {
        Tree t = {};
        _cleanup_free_ char *file = NULL;
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};

        tree_setup(&t);
        file = candidate(&t, "[oom_score_adj]\nredis-server = 300\n");
        assert_int_equal(load_as(&t, NULL, POLICY_RUNTIME_DROPIN_DIR "/15-cache.conf", file, &p, &diag), 0);
        assert_int_equal(strv_length(p->files), 4);
        /* Between 10-sshd.conf and 20-web.conf, where its name sorts. */
        assert_non_null(strstr(p->files[1], "/10-sshd.conf"));
        assert_non_null(strstr(p->files[2], POLICY_RUNTIME_DROPIN_DIR "/15-cache.conf (checking "));
        assert_non_null(strstr(p->files[3], "/20-web.conf"));
        assert_non_null(find_rule(p, "redis-server"));
        assert_non_null(find_rule(p, "nginx"));
        diag_list_done(&diag);
        tree_done(&t);
}

static void test_replace_main(void **state) {
        Tree t = {};
        _cleanup_free_ char *file = NULL;
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};

        tree_setup(&t);
        file = candidate(&t, "[sysctl]\nvm.panic_on_oom = 0\nvm.oom_kill_allocating_task = 1\n");
        assert_int_equal(load_as(&t, NULL, POLICY_FILE, file, &p, &diag), 0);
        assert_non_null(strstr(p->files[0], POLICY_FILE " (checking "));
        assert_true(p->sysctl[SYSCTL_OOM_KILL_ALLOCATING_TASK].set);
        assert_int_equal(strv_length(p->files), 3);
        diag_list_done(&diag);
        tree_done(&t);
}

static void test_override_one_key_of_shipped_rule(void **state) {
        Tree t = {};
        _cleanup_free_ char *file = NULL;
        _cleanup_policy_ Policy *p = NULL, *alone = NULL;
        DiagList diag = {};
        const Rule *r;

        tree_setup(&t);
        file = candidate(&t, "[rule:sshd]\noom_score_adj = -500\n");
        /* Alone (check --config FILE), the fragment is no rule... */
        assert_int_equal(policy_load(NULL, file, &alone, &diag), -EINVAL);
        assert_int_equal(diag.n_errors, 1);
        diag_list_done(&diag);
        /* ...merged with the shipped one, it is a valid change of one key. */
        assert_int_equal(load_as(&t, NULL, POLICY_DROPIN_DIR "/50-site.conf", file, &p, &diag), 0);
        assert_int_equal(diag.n_errors, 0);
        r = find_rule(p, "sshd");
        assert_non_null(r);
        assert_int_equal(r->oom_score_adj, -500);
        assert_non_null(strstr(r->key_origin[RULE_KEY_OOM_SCORE_ADJ].file, "/50-site.conf (checking "));
        assert_int_equal(r->key_origin[RULE_KEY_OOM_SCORE_ADJ].line, 2);
        assert_non_null(strstr(r->key_origin[RULE_KEY_NAME].file, VENDOR_DROPIN_DIR "/10-sshd.conf"));
        diag_list_done(&diag);
        tree_done(&t);
}

static void test_error_names_both_paths(void **state) {
        Tree t = {};
        _cleanup_free_ char *file = NULL, *expected = NULL, *got = NULL;
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};

        tree_setup(&t);
        file = candidate(&t, "[rule:sshd]\noom_score_adj = -500\nfoo = 1\n");
        assert_int_equal(load_as(&t, NULL, POLICY_DROPIN_DIR "/50-site.conf", file, &p, &diag), -EINVAL);
        assert_null(p);
        assert_int_equal(diag.n_errors, 1);
        assert_true(asprintf(&expected, "%s%s/50-site.conf (checking %s):3: unknown key 'foo'", t.root,
                             POLICY_DROPIN_DIR, file) > 0);
        got = diag_entry_format(&diag.entries[0]);
        assert_non_null(got);
        assert_memory_equal(got, expected, strlen(expected));
        diag_list_done(&diag);
        tree_done(&t);
}

static void test_error_in_other_file_names_it(void **state) {
        Tree t = {};
        _cleanup_free_ char *file = NULL, *got = NULL;
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};

        tree_setup(&t);
        test_write_file(t.root, POLICY_DROPIN_DIR "/30-broken.conf", "[oom_score_adj]\nx = lots\n", 0644);
        file = candidate(&t, "[oom_score_adj]\ny = 1\n");
        assert_int_equal(load_as(&t, NULL, POLICY_DROPIN_DIR "/50-site.conf", file, &p, &diag), -EINVAL);
        assert_int_equal(diag.n_errors, 1);
        got = diag_entry_format(&diag.entries[0]);
        assert_non_null(strstr(got, POLICY_DROPIN_DIR "/30-broken.conf:2: "));
        assert_null(strstr(got, "checking"));
        diag_list_done(&diag);
        tree_done(&t);
}

static void test_bad_installed_path(void **state) {
        Tree t = {};
        _cleanup_free_ char *file = NULL;
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};

        tree_setup(&t);
        file = candidate(&t, "[oom_score_adj]\ny = 1\n");
        assert_int_equal(load_as(&t, NULL, "/tmp/50-site.conf", file, &p, &diag), -EXDEV);
        assert_int_equal(load_as(&t, NULL, POLICY_DROPIN_DIR "/50-site", file, &p, &diag), -EXDEV);
        assert_int_equal(diag.n_entries, 0);
        assert_null(p);
        tree_done(&t);
}

static void test_shadowed_by_stronger_dir(void **state) {
        Tree t = {};
        _cleanup_free_ char *file = NULL, *got = NULL;
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};

        tree_setup(&t);
        test_symlink("/dev/null", t.root, POLICY_DROPIN_DIR "/10-sshd.conf");
        file = candidate(&t, SHIPPED);
        /* Masked in /etc: a vendor file of that name would never be read. */
        assert_int_equal(load_as(&t, NULL, VENDOR_DROPIN_DIR "/10-sshd.conf", file, &p, &diag), -EINVAL);
        got = diag_entry_format(&diag.entries[0]);
        assert_non_null(strstr(got, "would never be read"));
        assert_non_null(strstr(got, "(it masks the name)"));
        diag_list_done(&diag);
        /* Installed in /etc instead, it replaces the mask. */
        assert_int_equal(load_as(&t, NULL, POLICY_DROPIN_DIR "/10-sshd.conf", file, &p, &diag), 0);
        assert_non_null(find_rule(p, "sshd"));
        diag_list_done(&diag);
        tree_done(&t);
}

static void test_with_config_option(void **state) {
        Tree t = {};
        _cleanup_free_ char *main_file = NULL, *file = NULL, *dropin = NULL;
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};

        tree_setup(&t);
        test_write_file(t.root, "p.conf", SHIPPED, 0644);
        test_write_file(t.root, "p.conf.d/50-site.conf", "[rule:sshd]\noom_score_adj = -100\n", 0644);
        main_file = test_path(t.root, "p.conf");
        dropin = test_path(t.root, "p.conf.d/50-site.conf");
        file = candidate(&t, "[rule:sshd]\noom_score_adj = -300\n");
        assert_int_equal(load_as(&t, main_file, dropin, file, &p, &diag), 0);
        assert_int_equal(strv_length(p->files), 2);
        assert_int_equal(find_rule(p, "sshd")->oom_score_adj, -300);
        diag_list_done(&diag);
        /* --config has its own places only. */
        assert_int_equal(load_as(&t, main_file, POLICY_DROPIN_DIR "/50-site.conf", file, &p, &diag), -EXDEV);
        tree_done(&t);
}

static void test_unreadable_candidate(void **state) {
        Tree t = {};
        _cleanup_free_ char *missing = NULL, *got = NULL;
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};

        tree_setup(&t);
        missing = test_path(t.tmp, "gone");
        assert_int_equal(load_as(&t, NULL, POLICY_DROPIN_DIR "/50-site.conf", missing, &p, &diag), -EINVAL);
        got = diag_entry_format(&diag.entries[0]);
        assert_non_null(strstr(got, "/50-site.conf (checking "));
        assert_non_null(strstr(got, "gone): cannot open: No such file or directory"));
        diag_list_done(&diag);
        tree_done(&t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classify),
                cmocka_unit_test(test_describe_valid),
                cmocka_unit_test(test_put_dropin),
                cmocka_unit_test(test_replace_existing_dropin),
                cmocka_unit_test(test_add_new_dropin),
                cmocka_unit_test(test_replace_main),
                cmocka_unit_test(test_override_one_key_of_shipped_rule),
                cmocka_unit_test(test_error_names_both_paths),
                cmocka_unit_test(test_error_in_other_file_names_it),
                cmocka_unit_test(test_bad_installed_path),
                cmocka_unit_test(test_shadowed_by_stronger_dir),
                cmocka_unit_test(test_with_config_option),
                cmocka_unit_test(test_unreadable_candidate),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
