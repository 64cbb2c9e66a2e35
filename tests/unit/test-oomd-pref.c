/* SPDX-License-Identifier: MIT */
/* What to do about a unit's systemd-oomd preference, with struct literals. */
#include "test-util.h"
#include "apply/oomd-pref.h"

static void test_decide(void **state) {
        const UnitPrefMemory set_avoid = { .unit = "ssh.service", .previous = "none", .set = OOMD_PREFERENCE_AVOID,
                                           .rule = "sshd" };
        const UnitPrefMemory skipped = { .unit = "user@1000.service", .skipped = true };

        /* A rule without the key leaves the unit alone. */
        assert_int_equal(unit_pref_decide(NULL, OOMD_PREFERENCE_UNSET, true), UNIT_PREF_NONE);
        /* First process of a unit: set it. */
        assert_int_equal(unit_pref_decide(NULL, OOMD_PREFERENCE_AVOID, true), UNIT_PREF_SET);
        /* Once per unit: the second process of ssh.service changes nothing. */
        assert_int_equal(unit_pref_decide(&set_avoid, OOMD_PREFERENCE_AVOID, true), UNIT_PREF_NONE);
        /* A reloaded rule that asks for omit now. */
        assert_int_equal(unit_pref_decide(&set_avoid, OOMD_PREFERENCE_OMIT, true), UNIT_PREF_SET);
        /* A user's unit: said once, then quiet. */
        assert_int_equal(unit_pref_decide(NULL, OOMD_PREFERENCE_AVOID, false), UNIT_PREF_SKIP_USER_OWNED);
        assert_int_equal(unit_pref_decide(&skipped, OOMD_PREFERENCE_AVOID, false), UNIT_PREF_NONE);
        assert_string_equal(unit_pref_action_to_string(UNIT_PREF_SKIP_USER_OWNED), "skip-user-owned");
}

static void test_restore_after_reload(void **state) {
        Rule rules[] = {
                { .name = (char *) "sshd", .oomd_preference = OOMD_PREFERENCE_AVOID },
                { .name = (char *) "db", .oomd_preference = OOMD_PREFERENCE_UNSET },
        };
        const Policy p = { .rules = rules, .n_rules = ELEMENTSOF(rules) };
        const Policy empty = {};
        UnitPrefMemory ssh = { .unit = "ssh.service", .previous = "none", .set = OOMD_PREFERENCE_AVOID, .rule = "sshd" };
        UnitPrefMemory db = { .unit = "db.service", .previous = "none", .set = OOMD_PREFERENCE_OMIT, .rule = "db" };
        UnitPrefMemory gone = { .unit = "x.service", .previous = "avoid", .set = OOMD_PREFERENCE_OMIT, .rule = "x" };
        UnitPrefMemory skipped = { .unit = "user@1000.service", .skipped = true, .rule = "sshd" };

        assert_false(unit_pref_restore_after_reload(&ssh, &p));
        /* The rule is still there but no longer asks for a preference. */
        assert_true(unit_pref_restore_after_reload(&db, &p));
        assert_true(unit_pref_restore_after_reload(&gone, &p));
        assert_true(unit_pref_restore_after_reload(&ssh, &empty));
        assert_false(unit_pref_restore_after_reload(&skipped, &empty));
        /* The rule asks for omit now: memory kept, the evaluation sets the new value. */
        rules[0].oomd_preference = OOMD_PREFERENCE_OMIT;
        assert_false(unit_pref_restore_after_reload(&ssh, &p));
}

static void test_restorable(void **state) {
        assert_true(unit_pref_restorable(&(UnitPrefMemory) { .previous = "none", .set = OOMD_PREFERENCE_AVOID }));
        /* It was avoid already: nothing to give back. */
        assert_false(unit_pref_restorable(&(UnitPrefMemory) { .previous = "avoid", .set = OOMD_PREFERENCE_AVOID }));
        assert_false(unit_pref_restorable(&(UnitPrefMemory) { .skipped = true }));
        /* The value before us could not be read: nothing to put back. */
        assert_false(unit_pref_restorable(&(UnitPrefMemory) { .set = OOMD_PREFERENCE_OMIT }));
}

static void test_xattr_value(void **state) {
        assert_true(oomd_xattr_value_true("1"));
        assert_true(oomd_xattr_value_true("yes"));
        assert_false(oomd_xattr_value_true("0"));
        assert_false(oomd_xattr_value_true(""));
        assert_false(oomd_xattr_value_true(NULL));
}

static void test_xattr_plan(void **state) {
        OomdXattrPlan p;

        /* avoid: user.oomd_avoid set, user.oomd_omit gone. */
        assert_true(oomd_xattr_plan("avoid", false, false, &p));
        assert_int_equal(p.avoid, OOMD_XATTR_SET);
        assert_int_equal(p.omit, OOMD_XATTR_KEEP);
        assert_true(oomd_xattr_plan("avoid", false, true, &p));
        assert_int_equal(p.avoid, OOMD_XATTR_SET);
        assert_int_equal(p.omit, OOMD_XATTR_REMOVE);
        assert_false(oomd_xattr_plan("avoid", true, false, &p));
        /* omit, the other way round. */
        assert_true(oomd_xattr_plan("omit", true, false, &p));
        assert_int_equal(p.avoid, OOMD_XATTR_REMOVE);
        assert_int_equal(p.omit, OOMD_XATTR_SET);
        assert_false(oomd_xattr_plan("omit", false, true, &p));
        /* none: neither. */
        assert_true(oomd_xattr_plan("none", true, true, &p));
        assert_int_equal(p.avoid, OOMD_XATTR_REMOVE);
        assert_int_equal(p.omit, OOMD_XATTR_REMOVE);
        assert_false(oomd_xattr_plan("none", false, false, &p));

        assert_string_equal(oomd_xattr_name_for("avoid", false, true), "user.oomd_avoid");
        assert_string_equal(oomd_xattr_name_for("omit", true, false), "user.oomd_omit");
        assert_string_equal(oomd_xattr_name_for("none", false, true), "user.oomd_omit");
        assert_string_equal(oomd_xattr_name_for("none", true, false), "user.oomd_avoid");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_decide),
                cmocka_unit_test(test_restore_after_reload),
                cmocka_unit_test(test_restorable),
                cmocka_unit_test(test_xattr_value),
                cmocka_unit_test(test_xattr_plan),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
