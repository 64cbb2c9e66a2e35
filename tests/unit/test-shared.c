/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <syslog.h>

#include "test-util.h"
#include "shared/diag.h"
#include "shared/parse-util.h"
#include "shared/strv.h"
#include "shared/hashmap.h"
#include "shared/json-util.h"
#include "shared/utf8.h"

static void test_parse_int(void **state) {
        int v = 7;

        assert_int_equal(parse_int_range("-1000", -1000, 1000, &v), 0);
        assert_int_equal(v, -1000);
        assert_int_equal(parse_int_range(" 42 ", -1000, 1000, &v), 0);
        assert_int_equal(v, 42);
        assert_int_equal(parse_int_range("+5", -1000, 1000, &v), 0);
        assert_int_equal(v, 5);
        assert_int_equal(parse_int_range("", 0, 1, &v), -ENODATA);
        assert_int_equal(parse_int_range("   ", 0, 1, &v), -ENODATA);
        assert_int_equal(parse_int_range("-10x", -1000, 1000, &v), -EINVAL);
        assert_int_equal(parse_int_range("0x10", 0, 1000, &v), -EINVAL);
        assert_int_equal(parse_int_range("1 2", 0, 1000, &v), -EINVAL);
        assert_int_equal(parse_int_range("-", 0, 1000, &v), -EINVAL);
        assert_int_equal(parse_int_range("1001", -1000, 1000, &v), -ERANGE);
        assert_int_equal(parse_int_range("-1001", -1000, 1000, &v), -ERANGE);
        assert_int_equal(parse_int_range("99999999999999999999999", 0, INT_MAX, &v), -ERANGE);
        assert_int_equal(v, 5);
}

static void test_parse_boolean_and_level(void **state) {
        assert_int_equal(parse_boolean("yes"), 1);
        assert_int_equal(parse_boolean("On"), 1);
        assert_int_equal(parse_boolean("0"), 0);
        assert_int_equal(parse_boolean("false"), 0);
        assert_int_equal(parse_boolean("maybe"), -EINVAL);
        assert_int_equal(parse_log_level("debug"), LOG_DEBUG);
        assert_int_equal(parse_log_level("warning"), LOG_WARNING);
        assert_int_equal(parse_log_level("3"), LOG_ERR);
        assert_int_equal(parse_log_level("loud"), -EINVAL);
        assert_string_equal(log_level_to_string(LOG_INFO), "info");
}

static void test_strv(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *joined = NULL;

        assert_int_equal(strv_split_blank("  sshd\tsystemd-*  rsyslogd ", &l), 0);
        assert_int_equal(strv_length(l), 3);
        assert_string_equal(l[1], "systemd-*");
        assert_true(strv_contains(l, "rsyslogd"));
        assert_false(strv_contains(l, "rsyslog"));
        joined = strv_join(l, ",");
        assert_string_equal(joined, "sshd,systemd-*,rsyslogd");
        strv_free(l);
        l = NULL;
        assert_int_equal(strv_split_blank("   ", &l), 0);
        assert_non_null(l);
        assert_int_equal(strv_length(l), 0);
}

static void test_diag(void **state) {
        DiagList d = {};
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        assert_int_equal(diag_error(&d, "/etc/x.conf", 3, "bad %s", "thing"), 0);
        assert_int_equal(diag_warning(&d, "/etc/y.conf", 0, "odd"), 0);
        assert_int_equal(diag_error(&d, NULL, 0, "plain"), 0);
        assert_int_equal(d.n_errors, 2);
        assert_int_equal(d.n_warnings, 1);
        a = diag_entry_format(&d.entries[0]);
        b = diag_entry_format(&d.entries[1]);
        c = diag_entry_format(&d.entries[2]);
        assert_string_equal(a, "/etc/x.conf:3: bad thing");
        assert_string_equal(b, "/etc/y.conf: warning: odd");
        assert_string_equal(c, "plain");
        diag_list_done(&d);
        assert_int_equal(d.n_entries, 0);
}

static void test_hashmap_churn(void **state) {
        _cleanup_hashmap_ Hashmap *h = NULL;
        static intptr_t expected[6000];
        char key[32];

        assert_int_equal(hashmap_new(NULL, &h), 0);
        /* Interleaved insert/delete waves; a shadow array says what must be there. */
        for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 3000; i++) {
                        int k = i + round * 1000;

                        snprintf(key, sizeof(key), "%d", k);
                        assert_int_equal(hashmap_put(h, key, (void *) (intptr_t) (k + 1)), 0);
                        expected[k] = k + 1;
                }
                for (int i = 0; i < 3000; i += 2) {
                        int k = i + round * 1000;

                        snprintf(key, sizeof(key), "%d", k);
                        assert_true(hashmap_remove(h, key) == (expected[k] != 0));
                        expected[k] = 0;
                }
        }
        for (int k = 0; k < 6000; k++) {
                snprintf(key, sizeof(key), "%d", k);
                assert_int_equal((intptr_t) hashmap_get(h, key), expected[k]);
        }
        assert_false(hashmap_remove(h, "nope"));
}

static int sum_values(uint64_t key, void *value, void *userdata) {
        assert_int_equal((intptr_t) value, (intptr_t) key + 1);
        *(intptr_t *) userdata += (intptr_t) value;
        return 0;
}

static void test_hashmap_u64_churn(void **state) {
        _cleanup_hashmap_ Hashmap *h = NULL;
        static intptr_t expected[6000];
        intptr_t sum = 0, want = 0;

        assert_int_equal(hashmap_new_u64(NULL, &h), 0);
        /* Keys in runs, as PIDs come: the same waves as the string map above. */
        for (int round = 0; round < 4; round++) {
                for (int k = round * 1000; k < round * 1000 + 3000; k++) {
                        assert_int_equal(hashmap_put_u64(h, (uint64_t) k, (void *) (intptr_t) (k + 1)), 0);
                        expected[k] = k + 1;
                }
                for (int k = round * 1000; k < round * 1000 + 3000; k += 2) {
                        assert_true(hashmap_remove_u64(h, (uint64_t) k) == (expected[k] != 0));
                        expected[k] = 0;
                }
        }
        for (int k = 0; k < 6000; k++) {
                assert_int_equal((intptr_t) hashmap_get_u64(h, (uint64_t) k), expected[k]);
                want += expected[k];
        }
        assert_false(hashmap_remove_u64(h, 6000));
        assert_int_equal(hashmap_foreach_u64(h, sum_values, &sum), 0);
        assert_int_equal(sum, want);
}

static void test_utf8(void **state) {
        char *s;

        assert_true(utf8_is_valid(""));
        assert_true(utf8_is_valid("sshd"));
        assert_true(utf8_is_valid("oom\xc3\xa9"));                 /* é */
        assert_true(utf8_is_valid("\xe2\x82\xac \xf0\x9f\x98\x80"));  /* € and a 4-byte one */
        assert_false(utf8_is_valid("oom\xc3"));                     /* cut inside a character */
        assert_false(utf8_is_valid("\xc0\xaf"));                    /* overlong '/' */
        assert_false(utf8_is_valid("\xe0\x80\xaf"));                /* overlong, 3 bytes */
        assert_false(utf8_is_valid("\xed\xa0\x80"));                /* a surrogate */
        assert_false(utf8_is_valid("\xf4\x90\x80\x80"));            /* above U+10FFFF */
        assert_false(utf8_is_valid("\x80"));                        /* a lone continuation byte */
        assert_false(utf8_is_valid("\xff"));

        s = utf8_make_valid("oom\xc3");
        assert_string_equal(s, "oom\xef\xbf\xbd");
        free(s);
        s = utf8_make_valid("a\xff\xc3\xa9\xe2\x82z");
        assert_string_equal(s, "a\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbdz");
        assert_true(utf8_is_valid(s));
        free(s);
        s = utf8_make_valid("plain");
        assert_string_equal(s, "plain");
        free(s);
}

static void test_json_string(void **state) {
        json_object *j;

        assert_null(json_string_new(NULL));
        j = json_string_new("oom\xc3");
        assert_string_equal(json_object_get_string(j), "oom\xef\xbf\xbd");
        json_object_put(j);
        j = json_string_new("caf\xc3\xa9");
        assert_string_equal(json_object_get_string(j), "caf\xc3\xa9");
        json_object_put(j);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_int),
                cmocka_unit_test(test_parse_boolean_and_level),
                cmocka_unit_test(test_strv),
                cmocka_unit_test(test_diag),
                cmocka_unit_test(test_hashmap_churn),
                cmocka_unit_test(test_hashmap_u64_churn),
                cmocka_unit_test(test_utf8),
                cmocka_unit_test(test_json_string),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
