/* SPDX-License-Identifier: MIT */
/* oompolicyctl apply: the exit status config management sees, and the entries
 * of --json's "failures". */
#include <string.h>

#include "test-util.h"
#include "ctl/apply-report.h"
#include "ctl/ctl.h"

static void test_exit_status(void **state) {
        const ApplyTally nothing = {}, changed = { .processes_changed = 2 }, sysctl = { .sysctls_changed = 1 },
                         unit = { .units_changed = 1 }, failed = { .failed = 1 },
                         both = { .processes_changed = 3, .sysctls_changed = 1, .failed = 1 };

        /* Without --detailed-exitcodes: as before, 1 only for a failure. */
        assert_int_equal(apply_exit_status(&nothing, false), 0);
        assert_int_equal(apply_exit_status(&changed, false), 0);
        assert_int_equal(apply_exit_status(&failed, false), 1);
        assert_int_equal(apply_exit_status(&both, false), 1);
        /* With it: 0 nothing needed changing, 3 changed, 1 failed whether or not
         * other things changed; never 2, which is the usage error. */
        assert_int_equal(apply_exit_status(&nothing, true), 0);
        assert_int_equal(apply_exit_status(&changed, true), CTL_EXIT_CHANGED);
        assert_int_equal(apply_exit_status(&sysctl, true), 3);
        assert_int_equal(apply_exit_status(&unit, true), 3);
        assert_int_equal(apply_exit_status(&failed, true), 1);
        assert_int_equal(apply_exit_status(&both, true), 1);
        assert_int_not_equal(CTL_EXIT_CHANGED, CTL_EXIT_USAGE);
}

static void test_changed(void **state) {
        assert_false(apply_tally_changed(&(ApplyTally) {}));
        assert_false(apply_tally_changed(&(ApplyTally) { .failed = 4 }));
        assert_true(apply_tally_changed(&(ApplyTally) { .processes_changed = 1 }));
        assert_true(apply_tally_changed(&(ApplyTally) { .sysctls_changed = 1, .failed = 1 }));
        assert_true(apply_tally_changed(&(ApplyTally) { .units_changed = 1 }));
}

static void test_failure_json(void **state) {
        json_object *j = apply_failure_json("process", "1234 sshd", "Permission denied",
                                            "lowering oom_score_adj needs CAP_SYS_RESOURCE");
        json_object *k = apply_failure_json("sysctl", "vm.panic_on_oom", "Read-only file system", NULL);

        assert_non_null(j);
        assert_string_equal(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
                            "{\"type\":\"process\",\"item\":\"1234 sshd\",\"reason\":\"Permission denied\","
                            "\"hint\":\"lowering oom_score_adj needs CAP_SYS_RESOURCE\"}");
        assert_string_equal(json_object_to_json_string_ext(k, JSON_C_TO_STRING_PLAIN),
                            "{\"type\":\"sysctl\",\"item\":\"vm.panic_on_oom\",\"reason\":\"Read-only file system\","
                            "\"hint\":null}");
        json_object_put(j);
        json_object_put(k);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exit_status),
                cmocka_unit_test(test_changed),
                cmocka_unit_test(test_failure_json),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
