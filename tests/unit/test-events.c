/* SPDX-License-Identifier: MIT */
/* The pure parts of oompolicyctl events: --since/--until and --boot values,
 * the join of a kill with the daemon's entry, and how an event is shown with
 * what the journal adds (time, boot, source, rule). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test-util.h"
#include "ctl/events-join.h"
#include "ctl/events-time.h"
#include "ctl/oom-event-output.h"
#include "shared/macro.h"

#define B1 "11111111111111111111111111111111"
#define B2 "22222222222222222222222222222222"
/* 2023-11-14 22:13:20 UTC */
#define T0 UINT64_C(1700000000000000)
#define HOUR UINT64_C(3600000000)

static int setup_utc(void **state) {
        setenv("TZ", "UTC", 1);
        tzset();
        return 0;
}

static uint64_t parse_ok(const char *s) {
        uint64_t t = 0;

        if (events_parse_time(s, T0, &t) != 0)
                fail_msg("'%s' did not parse", s);
        return t;
}

static void test_parse_time(void **state) {
        uint64_t t;

        assert_true(parse_ok("now") == T0);
        assert_true(parse_ok("today") == T0 - (22 * HOUR + 13 * 60000000 + 20000000));
        assert_true(parse_ok("yesterday") == parse_ok("today") - 24 * HOUR);
        assert_true(parse_ok("tomorrow") == parse_ok("today") + 24 * HOUR);
        assert_true(parse_ok("-1h") == T0 - HOUR);
        assert_true(parse_ok("-30min") == T0 - 30 * 60000000);
        assert_true(parse_ok("-2d") == T0 - 48 * HOUR);
        assert_true(parse_ok("-1h30min") == T0 - HOUR - 30 * 60000000);
        assert_true(parse_ok("-1 h 30 min") == T0 - HOUR - 30 * 60000000);
        assert_true(parse_ok("+1w") == T0 + 7 * 24 * HOUR);
        assert_true(parse_ok("-90") == T0 - 90000000);
        assert_true(parse_ok("-5s") == T0 - 5000000);
        assert_true(parse_ok("-5ms") == T0 - 5000);
        assert_true(parse_ok("2023-11-14") == T0 - (22 * HOUR + 13 * 60000000 + 20000000));
        assert_true(parse_ok("2023-11-14 22:13") == T0 - 20000000);
        assert_true(parse_ok("2023-11-14 22:13:20") == T0);
        assert_true(parse_ok("2023-11-14T22:13:20") == T0);
        assert_true(parse_ok("1970-01-01") == 0);

        /* local time: the same wall clock is another instant elsewhere */
        setenv("TZ", "CET-1", 1);
        tzset();
        assert_true(parse_ok("2023-11-14 23:13:20") == T0);
        setup_utc(state);

        static const char *const bad[] = {
                "", "bogus", "2023-11-14 25:00", "2023-02-30", "2023-13-01", "2023-11-14 22:61", "2023-11-14 22",
                "2023-11-14 22:13:20:1", "23-11-14", "2023/11/14", "-", "-1x", "-h", "--1h", "-1h foo", "Today",
                "2023-11-14 22:13:2", " 2023-11-14", "1h",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (events_parse_time(bad[i], T0, &t) != -EINVAL)
                        fail_msg("'%s' was taken", bad[i]);
        assert_int_equal(events_parse_time("1969-12-31 23:59", T0, &t), -ERANGE);
        assert_int_equal(events_parse_time("-100y", T0, &t), -ERANGE);
        assert_int_equal(events_parse_time("-99999999999999999999d", T0, &t), -ERANGE);
}

static void test_parse_boot(void **state) {
        BootSpec b;

        assert_int_equal(events_parse_boot(NULL, &b), 0);
        assert_true(b.set && !b.has_id && b.offset == 0);
        assert_int_equal(events_parse_boot("", &b), 0);
        assert_true(b.set && !b.has_id && b.offset == 0);
        assert_int_equal(events_parse_boot("-1", &b), 0);
        assert_true(!b.has_id && b.offset == -1);
        assert_int_equal(events_parse_boot("0", &b), 0);
        assert_true(!b.has_id && b.offset == 0);
        assert_int_equal(events_parse_boot("2", &b), 0);
        assert_true(!b.has_id && b.offset == 2);
        assert_int_equal(events_parse_boot("+3", &b), 0);
        assert_true(!b.has_id && b.offset == 3);
        assert_int_equal(events_parse_boot("0123456789ABCDEF0123456789abcdef", &b), 0);
        assert_true(b.has_id && b.offset == 0);
        assert_string_equal(b.id, "0123456789abcdef0123456789abcdef");
        assert_int_equal(events_parse_boot("01234567-89ab-cdef-0123-456789abcdef", &b), 0);
        assert_true(b.has_id && b.offset == 0);
        assert_string_equal(b.id, "0123456789abcdef0123456789abcdef");
        assert_int_equal(events_parse_boot(B1 "-1", &b), 0);
        assert_true(b.has_id && b.offset == -1);
        assert_string_equal(b.id, B1);
        assert_int_equal(events_parse_boot(B1 "+2", &b), 0);
        assert_true(b.has_id && b.offset == 2);

        static const char *const bad[] = {
                "x", "-", "+", "1.5", "-1x", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdefa",
                "0123456789abcdef0123456789abcdeg", B1 "1", B1 "-", B1 "-x", "01234567-89ab-cdef-0123-456789abcde",
                "99999999999", " -1",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (events_parse_boot(bad[i], &b) != -EINVAL)
                        fail_msg("'%s' was taken", bad[i]);

        /* "-b -1": the next word is the boot; "-b --json" leaves --json alone */
        assert_true(events_looks_like_boot("-1"));
        assert_true(events_looks_like_boot(B2));
        assert_false(events_looks_like_boot("--json"));
        assert_false(events_looks_like_boot("events"));
        assert_false(events_looks_like_boot(""));
        assert_false(events_looks_like_boot(NULL));
}

static void test_format_time(void **state) {
        char buf[40];

        assert_int_equal(events_format_rfc3339(T0 + 42, buf), 0);
        assert_string_equal(buf, "2023-11-14T22:13:20.000042+00:00");
        events_format_wallclock(T0 + 42, buf);
        assert_string_equal(buf, "2023-11-14 22:13:20");
        assert_int_equal(events_format_rfc3339(OOM_TIME_UNSET, buf), -EINVAL);
        events_format_wallclock(OOM_TIME_UNSET, buf);
        assert_string_equal(buf, "-");

        setenv("TZ", "IST-5:30", 1);
        tzset();
        assert_int_equal(events_format_rfc3339(T0, buf), 0);
        assert_string_equal(buf, "2023-11-15T03:43:20.000000+05:30");
        setup_utc(state);
}

static OomEvent *kill_event(int64_t pid, const char *comm) {
        OomEvent *e = oom_event_new();

        assert_non_null(e);
        e->has_kill = true;
        e->victim_pid = pid;
        e->victim_comm = comm ? strdup(comm) : NULL;
        e->time.realtime_usec = T0;
        e->time.kernel_usec = 100000009;
        e->timestamp = strdup("100.000009");
        e->trigger_comm = strdup("stress");
        e->order = 0;
        return e;
}

static void test_join(void **state) {
        _cleanup_oom_event_free_ OomEvent *a = kill_event(4243, "stress");
        _cleanup_oom_event_free_ OomEvent *b = kill_event(4243, "stress");
        _cleanup_oom_event_free_ OomEvent *other = kill_event(4243, "other");
        _cleanup_oom_event_free_ OomEvent *none = kill_event(77, NULL);
        _cleanup_oom_event_free_ OomEvent *nokill = oom_event_new();
        KillNotes t = {};
        const KillNote *n;

        /* entries that cannot be joined */
        assert_int_equal(kill_notes_add(&t, NULL, "1", NULL, NULL, NULL, NULL), -EINVAL);
        assert_int_equal(kill_notes_add(&t, "xyz", "1", NULL, NULL, NULL, NULL), -EINVAL);
        assert_int_equal(kill_notes_add(&t, B1, NULL, "x", "r", NULL, NULL), -EINVAL);
        assert_int_equal(kill_notes_add(&t, B1, "0", "x", "r", NULL, NULL), -EINVAL);
        assert_int_equal(kill_notes_add(&t, B1, "12x", "x", "r", NULL, NULL), -EINVAL);
        assert_int_equal(t.n, 0);

        assert_int_equal(kill_notes_add(&t, B1, "4243", "stress", "batch", "/etc/oompolicy.conf:12", "300"), 0);
        assert_int_equal(kill_notes_add(&t, B2, "4243", "stress", "web", "b.conf:3", "-500"), 0);
        /* an entry of the same boot and pid, of a later kill (pid reused) */
        assert_int_equal(kill_notes_add(&t, B1, "4243", "stress", "second", NULL, "bogus"), 0);
        /* the daemon knew of no rule */
        assert_int_equal(kill_notes_add(&t, B1, "77", NULL, NULL, "ignored", "5"), 0);

        /* not the journal, or the wrong boot: no join */
        assert_null(kill_notes_join(&t, NULL, a));
        assert_null(kill_notes_join(&t, "33333333333333333333333333333333", a));
        /* another comm under the same pid is another process */
        assert_null(kill_notes_join(&t, B1, other));
        /* a report without a kill has no victim to join */
        assert_null(kill_notes_join(&t, B1, nokill));

        n = kill_notes_join(&t, B1, a);
        assert_non_null(n);
        assert_string_equal(n->rule.name, "batch");
        assert_string_equal(n->rule.origin, "/etc/oompolicy.conf:12");
        assert_true(n->rule.oom_score_adj == 300);
        /* each entry joins once: the next kill of that pid gets the next entry */
        n = kill_notes_join(&t, B1, b);
        assert_non_null(n);
        assert_string_equal(n->rule.name, "second");
        assert_null(n->rule.origin);
        assert_true(n->rule.oom_score_adj == OOM_UNSET);
        assert_null(kill_notes_join(&t, B1, a));

        n = kill_notes_join(&t, B2, a);
        assert_non_null(n);
        assert_string_equal(n->rule.name, "web");
        assert_true(n->rule.oom_score_adj == -500);

        /* no comm logged: the pid decides */
        n = kill_notes_join(&t, B1, none);
        assert_non_null(n);
        assert_null(n->rule.name);
        assert_null(n->rule.origin);
        kill_notes_done(&t);
}

static json_object *get(json_object *o, const char *key) {
        json_object *v = NULL;

        if (!json_object_object_get_ex(o, key, &v))
                fail_msg("no key %s", key);
        return v;
}

static void test_output(void **state) {
        _cleanup_oom_event_free_ OomEvent *e = kill_event(4243, "stress");
        _cleanup_oom_event_free_ OomEvent *nokill = oom_event_new();
        KillRule rule = { .name = (char *) "batch", .origin = (char *) "/etc/oompolicy.conf:12", .oom_score_adj = 300 };
        KillRule norule = { .oom_score_adj = OOM_UNSET };
        OomEventContext c = { .source = "journal", .boot_id = B1, .rule = &rule };
        json_object *o, *r;
        char *line;

        o = oom_event_to_json(e, &c, false);
        assert_non_null(o);
        assert_int_equal(json_object_object_length(o), 29);
        assert_string_equal(json_object_get_string(get(o, "time")), "2023-11-14T22:13:20.000000+00:00");
        assert_string_equal(json_object_to_json_string(get(o, "kernel_time")), "100.000009");
        assert_true(json_object_get_boolean(get(o, "kill")));
        assert_false(json_object_get_boolean(get(o, "no_killable")));
        assert_string_equal(json_object_get_string(get(o, "source")), "journal");
        assert_string_equal(json_object_get_string(get(o, "boot_id")), B1);
        assert_null(get(o, "trigger_oom_adj"));
        r = get(o, "rule");
        assert_int_equal(json_object_object_length(r), 3);
        assert_string_equal(json_object_get_string(get(r, "name")), "batch");
        assert_string_equal(json_object_get_string(get(r, "origin")), "/etc/oompolicy.conf:12");
        assert_int_equal(json_object_get_int(get(r, "oom_score_adj")), 300);
        json_object_put(o);

        line = oom_event_format_line(e, &c);
        assert_non_null(line);
        assert_string_equal(line, "2023-11-14 22:13:20 [  100.000009] killed 4243 (stress) uid=- anon-rss=- "
                                  "oom_score_adj=- global trigger=stress order=0 rule=batch "
                                  "(/etc/oompolicy.conf:12, oom_score_adj 300)");
        free(line);

        /* the daemon's entry named no rule; a file has no boot */
        c = (OomEventContext) { .source = "file", .rule = &norule };
        e->time = (OomMessageTime) { OOM_TIME_UNSET, OOM_TIME_UNSET };
        o = oom_event_to_json(e, &c, true);
        assert_int_equal(json_object_object_length(o), 30);
        assert_null(get(o, "rule"));
        assert_null(get(o, "boot_id"));
        assert_null(get(o, "time"));
        assert_null(get(o, "kernel_time"));
        assert_string_equal(json_object_get_string(get(o, "source")), "file");
        json_object_put(o);
        line = oom_event_format_line(e, &c);
        assert_string_equal(line, "- [  100.000009] killed 4243 (stress) uid=- anon-rss=- oom_score_adj=- global "
                                  "trigger=stress order=0");
        free(line);

        /* a report without a kill */
        nokill->no_killable = true;
        nokill->trigger_comm = strdup("bash");
        nokill->trigger_oom_adj = -17;
        o = oom_event_to_json(nokill, NULL, false);
        assert_false(json_object_get_boolean(get(o, "kill")));
        assert_true(json_object_get_boolean(get(o, "no_killable")));
        assert_int_equal(json_object_get_int(get(o, "trigger_oom_adj")), -17);
        assert_null(get(o, "source"));
        assert_null(get(o, "victim_pid"));
        json_object_put(o);
        line = oom_event_format_line(nokill, NULL);
        assert_string_equal(line, "- [-] no kill (no killable processes) global trigger=bash order=-");
        free(line);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_time),
                cmocka_unit_test(test_parse_boot),
                cmocka_unit_test(test_format_time),
                cmocka_unit_test(test_join),
                cmocka_unit_test(test_output),
        };

        return cmocka_run_group_tests(tests, setup_utc, NULL);
}
