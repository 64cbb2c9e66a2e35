/* SPDX-License-Identifier: MIT */
/* The corpus of real OOM reports (tests/data/oom-corpus: each NAME.log with its
 * public source in SOURCES.md and NAME.json, the expected events written by
 * hand): every field of every event must come out as expected. Prints, per
 * report, what differs, and at the end how many fields and reports were right. */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-util.h"
#include "report/oom-report.h"
#include "shared/macro.h"
#include "shared/string-util.h"

typedef struct Tally {
        size_t fields, fields_right;
        size_t reports, reports_right;
} Tally;

static json_object *int_or_null(int64_t v) {
        return v == OOM_UNSET ? NULL : json_object_new_int64(v);
}

static json_object *string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

/* The value of one expected key, from the event; *known false for a key the
 * corpus format does not have. */
static json_object *event_field(const OomEvent *e, const char *key, bool *known) {
        *known = true;
        if (streq(key, "kill"))
                return json_object_new_boolean(e->has_kill);
        if (streq(key, "timestamp"))
                return string_or_null(e->timestamp);
        if (streq(key, "trigger_comm"))
                return string_or_null(e->trigger_comm);
        if (streq(key, "trigger_pid"))
                return int_or_null(e->trigger_pid);
        if (streq(key, "gfp_mask"))
                return string_or_null(e->gfp_mask);
        if (streq(key, "order"))
                return int_or_null(e->order);
        if (streq(key, "trigger_oom_score_adj"))
                return int_or_null(e->trigger_oom_score_adj);
        if (streq(key, "trigger_oom_adj"))
                return int_or_null(e->trigger_oom_adj);
        if (streq(key, "constraint"))
                return string_or_null(e->constraint);
        if (streq(key, "scope"))
                return json_object_new_string(oom_scope_to_string(e->scope));
        if (streq(key, "task_memcg"))
                return string_or_null(e->task_memcg);
        if (streq(key, "victim_pid"))
                return int_or_null(e->victim_pid);
        if (streq(key, "victim_comm"))
                return string_or_null(e->victim_comm);
        if (streq(key, "victim_uid"))
                return int_or_null(e->victim_uid);
        if (streq(key, "total_vm_kb"))
                return int_or_null(e->total_vm_kb);
        if (streq(key, "anon_rss_kb"))
                return int_or_null(e->anon_rss_kb);
        if (streq(key, "file_rss_kb"))
                return int_or_null(e->file_rss_kb);
        if (streq(key, "shmem_rss_kb"))
                return int_or_null(e->shmem_rss_kb);
        if (streq(key, "pgtables_kb"))
                return int_or_null(e->pgtables_kb);
        if (streq(key, "victim_oom_score_adj"))
                return int_or_null(e->victim_oom_score_adj);
        if (streq(key, "score"))
                return int_or_null(e->score);
        if (streq(key, "reaped"))
                return json_object_new_boolean(e->reaped);
        if (streq(key, "task_rows"))
                return e->has_task_table ? json_object_new_int64((int64_t) e->task_rows) : NULL;
        *known = false;
        return NULL;
}

static bool same_value(json_object *a, json_object *b) {
        if (!a || !b)
                return !a && !b;
        return json_object_equal(a, b);
}

static void parse_log(const char *path, OomEvent ***ret, size_t *ret_n) {
        _cleanup_oom_report_parser_free_ OomReportParser *p = NULL;
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        OomEvent **events = NULL, *e;
        size_t n = 0, size = 0;
        bool done = false;

        assert_non_null(f);
        assert_int_equal(oom_report_parser_new(&p), 0);
        while (!done) {
                if (getline(&line, &size, f) > 0)
                        assert_int_equal(oom_report_parser_feed_line(p, line), 0);
                else {
                        assert_int_equal(oom_report_parser_finish(p), 0);
                        done = true;
                }
                while (oom_report_parser_pop(p, &e) > 0) {
                        events = realloc(events, (n + 1) * sizeof(OomEvent *));
                        assert_non_null(events);
                        events[n++] = e;
                }
        }
        *ret = events;
        *ret_n = n;
}

static void check_report(const char *dir, const char *name, Tally *t) {
        _cleanup_free_ char *log = NULL, *expected_path = NULL;
        json_object *expected;
        OomEvent **events = NULL;
        size_t n_events = 0, n_expected, wrong = 0;

        assert_true(asprintf(&log, "%s/%s.log", dir, name) > 0);
        assert_true(asprintf(&expected_path, "%s/%s.json", dir, name) > 0);
        if (access(expected_path, F_OK) < 0)
                fail_msg("%s: missing: every report needs its expected JSON beside it", expected_path);
        expected = json_object_from_file(expected_path);
        if (!expected || !json_object_is_type(expected, json_type_array))
                fail_msg("%s: not a JSON array", expected_path);
        n_expected = json_object_array_length(expected);
        parse_log(log, &events, &n_events);

        for (size_t i = 0; i < n_expected; i++) {
                json_object *want = json_object_array_get_idx(expected, i);
                const OomEvent *e = i < n_events ? events[i] : NULL;

                json_object_object_foreach(want, key, value) {
                        json_object *got = NULL;
                        bool known = true;

                        if (e) {
                                got = event_field(e, key, &known);
                                if (!known)
                                        fail_msg("%s: event %zu: unknown key \"%s\"", expected_path, i, key);
                        }
                        t->fields++;
                        if (e && same_value(got, value))
                                t->fields_right++;
                        else {
                                wrong++;
                                printf("# %s: event %zu: %s: got %s, expected %s\n", name, i, key,
                                       e ? (got ? json_object_to_json_string(got) : "null") : "(no event)",
                                       value ? json_object_to_json_string(value) : "null");
                        }
                        json_object_put(got);
                }
        }
        if (n_events > n_expected) {
                printf("# %s: %zu events, expected %zu; the first extra one: victim %lld\n", name, n_events,
                       n_expected, (long long) events[n_expected]->victim_pid);
                wrong++;
        }
        t->reports++;
        if (wrong == 0)
                t->reports_right++;
        for (size_t i = 0; i < n_events; i++)
                oom_event_free(events[i]);
        free(events);
        json_object_put(expected);
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void test_corpus(void **state) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        char **names = NULL;
        size_t n = 0;
        Tally t = {};
        struct dirent *de;

        /* OOM_CORPUS_DIR measures a batch kept apart (a blind run) the same way. */
        if (getenv("OOM_CORPUS_DIR"))
                dir = strdup(getenv("OOM_CORPUS_DIR"));
        else
                assert_true(asprintf(&dir, "%s/oom-corpus", TEST_DATADIR) > 0);
        assert_non_null(dir);
        d = opendir(dir);
        if (!d)
                skip();
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);

                if (len <= 4 || !endswith(de->d_name, ".log"))
                        continue;
                names = realloc(names, (n + 1) * sizeof(char *));
                assert_non_null(names);
                names[n] = strndup(de->d_name, len - 4);
                assert_non_null(names[n]);
                n++;
        }
        if (n > 0)
                qsort(names, n, sizeof(char *), compare_names);
        for (size_t i = 0; i < n; i++) {
                check_report(dir, names[i], &t);
                free(names[i]);
        }
        free(names);
        printf("# corpus: %zu of %zu fields right (%.1f %%), %zu of %zu reports entirely right\n", t.fields_right,
               t.fields, t.fields ? 100.0 * (double) t.fields_right / (double) t.fields : 100.0, t.reports_right,
               t.reports);
        assert_int_equal(t.fields_right, t.fields);
        assert_int_equal(t.reports_right, t.reports);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_corpus),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
