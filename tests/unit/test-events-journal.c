/* SPDX-License-Identifier: MIT */
/* oompolicyctl events on journal files the test writes itself: an export
 * stream of two boots (kernel OOM reports, oompolicyd's kill entry with its
 * rule), turned into a journal file by systemd-journal-remote, read back with
 * --directory. Skipped when systemd-journal-remote is not installed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"
#include "ctl/ctl.h"
#include "report/oom-event.h"
#include "shared/macro.h"

#define B1 "11111111111111111111111111111111"
#define B2 "22222222222222222222222222222222"
/* 2023-11-14 22:13:20 UTC; boot 2 is a day later */
#define T0 UINT64_C(1700000000000000)
#define DAY UINT64_C(86400000000)

typedef struct Fixture {
        char *dir;
        char *journal_dir;
} Fixture;

static const char *journal_remote(void) {
        static const char *const paths[] = {
                "/lib/systemd/systemd-journal-remote",
                "/usr/lib/systemd/systemd-journal-remote",
        };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (access(paths[i], X_OK) == 0)
                        return paths[i];
        return NULL;
}

static void kernel(FILE *f, const char *boot, uint64_t rt, uint64_t mono, const char *message) {
        fprintf(f, "__REALTIME_TIMESTAMP=%llu\n__MONOTONIC_TIMESTAMP=%llu\n_BOOT_ID=%s\n_TRANSPORT=kernel\n"
                   "SYSLOG_IDENTIFIER=kernel\nPRIORITY=4\n_SOURCE_MONOTONIC_TIMESTAMP=%llu\nMESSAGE=%s\n\n",
                (unsigned long long) rt, (unsigned long long) mono + 500, boot, (unsigned long long) mono, message);
}

/* What oompolicyd logs per kill (src/daemon/oom-kill-note.c, log.c). */
static void daemon_note(FILE *f, const char *boot, uint64_t rt, const char *pid, const char *comm, const char *rule,
                        const char *origin, const char *adj) {
        fprintf(f, "__REALTIME_TIMESTAMP=%llu\n__MONOTONIC_TIMESTAMP=100001000\n_BOOT_ID=%s\n_TRANSPORT=journal\n"
                   "SYSLOG_IDENTIFIER=oompolicyd\nPRIORITY=5\nMESSAGE_ID=0b8f6a5e3c1d4e7fa2b9c4d5e6f7080a\n"
                   "MESSAGE=OOM kill (system-wide): pid %s (%s)\nOOMPOLICY_VICTIM_PID=%s\nOOMPOLICY_VICTIM_COMM=%s\n"
                   "OOMPOLICY_RULE=%s\nOOMPOLICY_RULE_ORIGIN=%s\nOOMPOLICY_RULE_OOM_SCORE_ADJ=%s\n\n",
                (unsigned long long) rt, boot, pid, comm, pid, comm, rule, origin, adj);
}

static void write_journal(Fixture *x) {
        _cleanup_free_ char *export = test_path(x->dir, "in.export"), *cmd = NULL;
        FILE *f = fopen(export, "we");
        uint64_t t2 = T0 + DAY;

        assert_non_null(f);
        /* boot 1: a global kill of a process the daemon's rule governed */
        kernel(f, B1, T0, 100000000, "stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), "
                                     "order=0, oom_score_adj=0");
        kernel(f, B1, T0 + 10, 100000010, "CPU: 0 PID: 4244 Comm: stress Not tainted 6.1.0-18-amd64 #1 Debian 6.1.76-1");
        kernel(f, B1, T0 + 20, 100000020, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
                                          "global_oom,task_memcg=/user.slice/user-1000.slice,task=stress,pid=4243,uid=1000");
        kernel(f, B1, T0 + 30, 100000030, "Out of memory: Killed process 4243 (stress) total-vm:1200000kB, "
                                          "anon-rss:800000kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:1600kB "
                                          "oom_score_adj:500");
        daemon_note(f, B1, T0 + 40, "4243", "stress", "batch", "/etc/oompolicy.conf.d/60-batch.conf:3", "500");
        kernel(f, B1, T0 + 50, 100000050, "oom_reaper: reaped process 4243 (stress), now anon-rss:0kB, file-rss:0kB, "
                                          "shmem-rss:0kB");
        /* the same pid in boot 2 is another process: the entry of boot 1 does not join it */
        kernel(f, B2, t2, 5000000, "Linux version 6.1.0-18-amd64");
        kernel(f, B2, t2 + 100, 5000100, "bash invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        kernel(f, B2, t2 + 110, 5000110, "Out of memory and no killable processes...");
        kernel(f, B2, t2 + 3600000000, 3605000000, "Out of memory: Killed process 4243 (worker) total-vm:9000kB, "
                                                   "anon-rss:5000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:16kB "
                                                   "oom_score_adj:0");
        assert_int_equal(fclose(f), 0);

        x->journal_dir = test_path(x->dir, "journal");
        test_mkdir_p(x->dir, "journal");
        assert_true(asprintf(&cmd, "'%s' -o '%s/test.journal' - <'%s' 2>/dev/null", journal_remote(), x->journal_dir,
                             export) > 0);
        assert_int_equal(system(cmd), 0);
}

static int setup(void **state) {
        Fixture *x;

        setenv("TZ", "UTC", 1);
        tzset();
        if (!journal_remote()) {
                fprintf(stderr, "skipped: no systemd-journal-remote (package systemd-journal-remote) "
                        "to write a journal file with\n");
                return 0;
        }
        x = calloc(1, sizeof(*x));
        assert_non_null(x);
        x->dir = test_mkdtemp();
        write_journal(x);
        *state = x;
        return 0;
}

static int teardown(void **state) {
        Fixture *x = *state;

        if (x) {
                test_rm_rf(x->dir);
                free(x->dir);
                free(x->journal_dir);
                free(x);
        }
        return 0;
}

static Fixture *fixture(void **state) {
        if (!*state)
                skip();   /* no systemd-journal-remote to write a journal file with */
        return *state;
}

/* Runs events with o; returns what it printed and its result in *ret. */
static char *run_events(const CtlOptions *o, int *ret) {
        char path[] = "/tmp/test-events-journal.XXXXXX";
        int fd = mkstemp(path), saved;
        char *out = NULL;
        size_t size = 0;
        FILE *f;

        assert_true(fd >= 0);
        fflush(stdout);
        saved = dup(STDOUT_FILENO);
        assert_true(saved >= 0);
        assert_true(dup2(fd, STDOUT_FILENO) >= 0);
        *ret = verb_events(o, 0, NULL);
        fflush(stdout);
        assert_true(dup2(saved, STDOUT_FILENO) >= 0);
        close(saved);
        f = fdopen(fd, "r");
        assert_non_null(f);
        rewind(f);
        assert_true(getdelim(&out, &size, '\0', f) >= 0 || feof(f));
        fclose(f);
        unlink(path);
        return out ?: strdup("");
}

static CtlOptions options(const Fixture *x) {
        return (CtlOptions) { .root = "/", .json = true, .directory = x->journal_dir, .since = OOM_TIME_UNSET,
                              .until = OOM_TIME_UNSET };
}

static json_object *events_json(const CtlOptions *o) {
        _cleanup_free_ char *out = NULL;
        json_object *doc;
        int r;

        out = run_events(o, &r);
        assert_int_equal(r, 0);
        doc = json_tokener_parse(out);
        assert_non_null(doc);
        assert_true(json_object_is_type(doc, json_type_array));
        return doc;
}

static json_object *get(json_object *o, const char *key) {
        json_object *v = NULL;

        if (!json_object_object_get_ex(o, key, &v))
                fail_msg("no key %s", key);
        return v;
}

static const char *str(json_object *o, const char *key) {
        return json_object_get_string(get(o, key));
}

/* The kill of boot 1, joined with the daemon's entry. */
static void assert_boot1_kill(json_object *e) {
        json_object *rule = get(e, "rule");

        assert_int_equal(json_object_get_int(get(e, "victim_pid")), 4243);
        assert_string_equal(str(e, "victim_comm"), "stress");
        assert_string_equal(str(e, "source"), "journal");
        assert_string_equal(str(e, "boot_id"), B1);
        assert_string_equal(str(e, "time"), "2023-11-14T22:13:20.000000+00:00");
        assert_string_equal(json_object_to_json_string(get(e, "kernel_time")), "100.000000");
        assert_true(json_object_get_boolean(get(e, "kill")));
        assert_true(json_object_get_boolean(get(e, "reaped")));
        assert_string_equal(str(e, "trigger_comm"), "stress");
        assert_non_null(rule);
        assert_string_equal(str(rule, "name"), "batch");
        assert_string_equal(str(rule, "origin"), "/etc/oompolicy.conf.d/60-batch.conf:3");
        assert_int_equal(json_object_get_int(get(rule, "oom_score_adj")), 500);
}

static void assert_boot2_kill(json_object *e) {
        assert_int_equal(json_object_get_int(get(e, "victim_pid")), 4243);
        assert_string_equal(str(e, "victim_comm"), "worker");
        assert_string_equal(str(e, "boot_id"), B2);
        assert_string_equal(str(e, "time"), "2023-11-15T23:13:20.000000+00:00");
        assert_string_equal(json_object_to_json_string(get(e, "kernel_time")), "3605.000000");
        assert_null(get(e, "rule"));
}

static void test_all_boots(void **state) {
        Fixture *x = fixture(state);
        CtlOptions o = options(x);
        json_object *doc = events_json(&o);

        assert_int_equal(json_object_array_length(doc), 2);
        assert_boot1_kill(json_object_array_get_idx(doc, 0));
        assert_boot2_kill(json_object_array_get_idx(doc, 1));
        json_object_put(doc);
}

static void test_boot(void **state) {
        Fixture *x = fixture(state);
        CtlOptions o = options(x);
        _cleanup_free_ char *out = NULL;
        json_object *doc;
        int r;

        assert_int_equal(events_parse_boot("-1", &o.boot), 0);
        doc = events_json(&o);
        assert_int_equal(json_object_array_length(doc), 1);
        assert_boot1_kill(json_object_array_get_idx(doc, 0));
        json_object_put(doc);

        assert_int_equal(events_parse_boot("1", &o.boot), 0);
        doc = events_json(&o);
        assert_int_equal(json_object_array_length(doc), 1);
        assert_boot1_kill(json_object_array_get_idx(doc, 0));
        json_object_put(doc);

        /* -b alone: the last boot */
        assert_int_equal(events_parse_boot(NULL, &o.boot), 0);
        doc = events_json(&o);
        assert_int_equal(json_object_array_length(doc), 1);
        assert_boot2_kill(json_object_array_get_idx(doc, 0));
        json_object_put(doc);

        assert_int_equal(events_parse_boot(B2, &o.boot), 0);
        doc = events_json(&o);
        assert_int_equal(json_object_array_length(doc), 1);
        assert_boot2_kill(json_object_array_get_idx(doc, 0));
        json_object_put(doc);

        assert_int_equal(events_parse_boot(B2 "-1", &o.boot), 0);
        doc = events_json(&o);
        assert_int_equal(json_object_array_length(doc), 1);
        assert_boot1_kill(json_object_array_get_idx(doc, 0));
        json_object_put(doc);

        /* boots the journal does not have */
        assert_int_equal(events_parse_boot("-2", &o.boot), 0);
        out = run_events(&o, &r);
        assert_int_equal(r, -ENXIO);
        free(out);
        assert_int_equal(events_parse_boot("33333333333333333333333333333333", &o.boot), 0);
        out = run_events(&o, &r);
        assert_int_equal(r, -ENXIO);
}

static void test_since_until(void **state) {
        Fixture *x = fixture(state);
        CtlOptions o = options(x);
        json_object *doc;

        o.since = T0 + DAY;
        doc = events_json(&o);
        assert_int_equal(json_object_array_length(doc), 1);
        assert_boot2_kill(json_object_array_get_idx(doc, 0));
        json_object_put(doc);

        o.since = OOM_TIME_UNSET;
        o.until = T0 + DAY;
        doc = events_json(&o);
        assert_int_equal(json_object_array_length(doc), 1);
        assert_boot1_kill(json_object_array_get_idx(doc, 0));
        json_object_put(doc);

        /* a range with nothing in it */
        o.since = T0 + 1000000;
        o.until = T0 + DAY - 1;
        doc = events_json(&o);
        assert_int_equal(json_object_array_length(doc), 0);
        json_object_put(doc);
}

static void test_all(void **state) {
        Fixture *x = fixture(state);
        CtlOptions o = options(x);
        json_object *doc, *e;

        o.all = true;
        doc = events_json(&o);
        assert_int_equal(json_object_array_length(doc), 3);
        assert_boot1_kill(json_object_array_get_idx(doc, 0));
        e = json_object_array_get_idx(doc, 1);
        assert_false(json_object_get_boolean(get(e, "kill")));
        assert_true(json_object_get_boolean(get(e, "no_killable")));
        assert_string_equal(str(e, "trigger_comm"), "bash");
        assert_string_equal(str(e, "boot_id"), B2);
        assert_null(get(e, "victim_pid"));
        assert_null(get(e, "rule"));
        assert_boot2_kill(json_object_array_get_idx(doc, 2));
        json_object_put(doc);
}

static void test_text(void **state) {
        Fixture *x = fixture(state);
        CtlOptions o = options(x);
        _cleanup_free_ char *out = NULL;
        int r;

        o.json = false;
        o.all = true;
        out = run_events(&o, &r);
        assert_int_equal(r, 0);
        assert_string_equal(out,
                "2023-11-14 22:13:20 [  100.000000] killed 4243 (stress) uid=1000 anon-rss=781.2MiB oom_score_adj=500 "
                "global trigger=stress order=0 rule=batch (/etc/oompolicy.conf.d/60-batch.conf:3, oom_score_adj 500)\n"
                "2023-11-15 22:13:20 [    5.000100] no kill (no killable processes) global trigger=bash order=0\n"
                "2023-11-15 23:13:20 [ 3605.000000] killed 4243 (worker) uid=0 anon-rss=4.9MiB oom_score_adj=0 "
                "global trigger=- order=-\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_all_boots),
                cmocka_unit_test(test_boot),
                cmocka_unit_test(test_since_until),
                cmocka_unit_test(test_all),
                cmocka_unit_test(test_text),
        };

        return cmocka_run_group_tests(tests, setup, teardown);
}
