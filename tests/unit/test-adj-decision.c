/* SPDX-License-Identifier: MIT */
/* The daemon's per-process decision, with struct literals: what is remembered
 * and what /proc shows in, what to write and what to remember out. */
#include "test-util.h"
#include "apply/adj-decision.h"
#include "apply/sysctl-apply.h"

#define DEFAULT_ADJ 5

static const Rule inherit_rule = { .name = (char *) "keeper", .oom_score_adj = 300, .children = CHILDREN_INHERIT };
static const Rule reset_rule = { .name = (char *) "parent", .oom_score_adj = 200, .children = CHILDREN_RESET };

static AdjDecision decide(const ProcMemory *known, ProcSeen seen, const Rule *rule) {
        return adj_decide(known, &seen, rule, DEFAULT_ADJ);
}

static void test_unknown_process(void **state) {
        AdjDecision d = decide(NULL, (ProcSeen) { .start_time = 10, .oom_score_adj = 40 }, NULL);

        assert_int_equal(d.write, ADJ_WRITE_NONE);
        assert_false(d.after.keep);
        assert_false(d.after_refused.keep);
}

static void test_rule_writes_and_remembers_original(void **state) {
        AdjDecision d = decide(NULL, (ProcSeen) { .start_time = 10, .oom_score_adj = -7 }, &inherit_rule);

        assert_int_equal(d.write, ADJ_WRITE_RULE);
        assert_int_equal(d.value, 300);
        assert_true(d.after.keep);
        assert_int_equal(d.after.memory.start_time, 10);
        assert_int_equal(d.after.memory.original, -7);
        assert_int_equal(d.after.memory.written, 300);
        assert_true(d.after.memory.changed);
        assert_true(d.after.memory.matched);
        assert_false(d.after.memory.reset_children);

        /* Refused: still remembered (for the kill report), but as not changed. */
        assert_true(d.after_refused.keep);
        assert_false(d.after_refused.memory.changed);
        assert_int_equal(d.after_refused.memory.written, -7);
        assert_true(d.after_refused.memory.matched);
}

static void test_rule_already_in_place(void **state) {
        AdjDecision d = decide(NULL, (ProcSeen) { .start_time = 10, .oom_score_adj = 200 }, &reset_rule);

        assert_int_equal(d.write, ADJ_WRITE_NONE);
        assert_true(d.after.keep);
        assert_false(d.after.memory.changed);
        assert_true(d.after.memory.matched);
        assert_true(d.after.memory.reset_children);
}

static void test_reset_children_only_when_written(void **state) {
        AdjDecision d = decide(NULL, (ProcSeen) { .oom_score_adj = 0 }, &reset_rule);

        assert_true(d.after.memory.reset_children);
        /* A value we could not write is not one children inherit from us. */
        assert_false(d.after_refused.memory.reset_children);
}

static void test_new_value_keeps_first_original(void **state) {
        ProcMemory known = { .start_time = 10, .original = -7, .written = 200, .changed = true, .matched = true };
        AdjDecision d = decide(&known, (ProcSeen) { .start_time = 10, .oom_score_adj = 200 }, &inherit_rule);

        assert_int_equal(d.write, ADJ_WRITE_RULE);
        assert_int_equal(d.after.memory.original, -7);
        assert_int_equal(d.after.memory.written, 300);
}

static void test_no_longer_matching_gets_original_back(void **state) {
        ProcMemory known = { .start_time = 10, .original = -7, .written = 300, .changed = true, .matched = true };
        AdjDecision d = decide(&known, (ProcSeen) { .start_time = 10, .oom_score_adj = 300 }, NULL);

        assert_int_equal(d.write, ADJ_WRITE_RESTORE);
        assert_int_equal(d.value, -7);
        assert_false(d.after.keep);
        assert_false(d.after_refused.keep);

        /* Someone else set another value meanwhile: theirs stays. */
        d = decide(&known, (ProcSeen) { .start_time = 10, .oom_score_adj = 17 }, NULL);
        assert_int_equal(d.write, ADJ_WRITE_NONE);
        assert_false(d.after.keep);
}

static void test_reused_pid_is_another_process(void **state) {
        ProcMemory known = { .start_time = 10, .original = -7, .written = 300, .changed = true, .matched = true };
        AdjDecision d = decide(&known, (ProcSeen) { .start_time = 11, .oom_score_adj = 300 }, NULL);

        assert_int_equal(d.write, ADJ_WRITE_NONE);
        assert_false(d.after.keep);

        /* ... and a rule matching the new one remembers its own original. */
        d = decide(&known, (ProcSeen) { .start_time = 11, .oom_score_adj = 1 }, &inherit_rule);
        assert_int_equal(d.after.memory.original, 1);
        assert_int_equal(d.after.memory.start_time, 11);
}

static void test_child_of_reset_rule_gets_default(void **state) {
        ProcMemory parent = { .start_time = 10, .original = 0, .written = 200, .changed = true, .matched = true,
                              .reset_children = true };
        ProcMemory child = proc_memory_forked(&parent);
        AdjDecision d;

        assert_true(child.lineage);
        assert_int_equal(child.lineage_value, 200);
        assert_false(child.changed);
        assert_false(child.matched);

        d = decide(&child, (ProcSeen) { .start_time = 12, .oom_score_adj = 200 }, NULL);
        assert_int_equal(d.write, ADJ_WRITE_RESET_CHILD);
        assert_int_equal(d.value, DEFAULT_ADJ);
        assert_false(d.after.keep);

        /* Set by someone else since the fork: left alone, the lineage still followed. */
        d = decide(&child, (ProcSeen) { .start_time = 12, .oom_score_adj = 3 }, NULL);
        assert_int_equal(d.write, ADJ_WRITE_NONE);
        assert_true(d.after.keep);
        assert_true(d.after.memory.lineage);
        assert_int_equal(d.after.memory.start_time, 12);

        /* A grandchild inherits the lineage, not a value to restore. */
        child = proc_memory_forked(&child);
        assert_true(child.lineage);
        assert_int_equal(child.lineage_value, 200);
        assert_false(child.changed);
}

static void test_child_of_inherit_rule_keeps_value(void **state) {
        ProcMemory parent = { .start_time = 10, .original = -7, .written = 300, .changed = true, .matched = true };
        ProcMemory child = proc_memory_forked(&parent);
        AdjDecision d;

        assert_false(child.lineage);
        assert_true(child.changed);
        assert_int_equal(child.original, -7);

        /* After an exec into a program no rule names: inherited value stays (and is
         * given back with restore_on_exit), the process is no longer "matched". */
        d = decide(&child, (ProcSeen) { .start_time = 12, .oom_score_adj = 300 }, NULL);
        assert_int_equal(d.write, ADJ_WRITE_NONE);
        assert_true(d.after.keep);
        assert_false(d.after.memory.matched);
        assert_true(d.after.memory.changed);
}

static void test_nothing_left_to_remember(void **state) {
        ProcMemory known = { .start_time = 10, .original = 300, .written = 300, .matched = true };
        AdjDecision d = decide(&known, (ProcSeen) { .start_time = 10, .oom_score_adj = 300 }, NULL);

        assert_int_equal(d.write, ADJ_WRITE_NONE);
        assert_false(d.after.keep);
}

static void test_kernel_threads_and_zombies_untouched(void **state) {
        ProcMemory known = { .start_time = 10, .original = -7, .written = 300, .changed = true, .matched = true };
        AdjDecision d = decide(&known, (ProcSeen) { .start_time = 10, .oom_score_adj = 300, .skip = true }, NULL);

        assert_int_equal(d.write, ADJ_WRITE_NONE);
        assert_true(d.after.keep);
        assert_memory_equal(&d.after.memory, &known, sizeof(known));

        d = decide(NULL, (ProcSeen) { .oom_score_adj = 0, .skip = true }, &inherit_rule);
        assert_int_equal(d.write, ADJ_WRITE_NONE);
        assert_false(d.after.keep);
}

static void test_restorable(void **state) {
        ProcMemory known = { .start_time = 10, .original = -7, .written = 300, .changed = true };

        assert_true(adj_restorable(&known, &(ProcSeen) { .start_time = 10, .oom_score_adj = 300 }));
        assert_false(adj_restorable(&known, &(ProcSeen) { .start_time = 11, .oom_score_adj = 300 }));
        assert_false(adj_restorable(&known, &(ProcSeen) { .start_time = 10, .oom_score_adj = 299 }));
        known.start_time = 0;   /* forked, never evaluated: the PID's process is trusted */
        assert_true(adj_restorable(&known, &(ProcSeen) { .start_time = 10, .oom_score_adj = 300 }));
        known.changed = false;
        assert_false(adj_restorable(&known, &(ProcSeen) { .start_time = 10, .oom_score_adj = 300 }));
}

/* Sysctl originals: the first value before us is kept across reloads, and given
 * back for a sysctl the policy stops setting, or for all of them at exit. */
static void test_sysctl_originals(void **state) {
        SysctlOriginals o = {};
        SysctlChange changes[_SYSCTL_MAX];
        Policy p = {};

        sysctl_originals_note(&o, &(SysctlChange) { .id = SYSCTL_PANIC_ON_OOM, .old_value = 0, .old_known = true,
                                                    .new_value = 1 });
        /* A reload writing again: 1 is our own value, not the original. */
        sysctl_originals_note(&o, &(SysctlChange) { .id = SYSCTL_PANIC_ON_OOM, .old_value = 1, .old_known = true,
                                                    .new_value = 2 });
        sysctl_originals_note(&o, &(SysctlChange) { .id = SYSCTL_OOM_DUMP_TASKS, .old_value = 1, .old_known = true,
                                                    .new_value = 0 });

        p.sysctl[SYSCTL_PANIC_ON_OOM].set = true;
        assert_int_equal(sysctl_plan_restore(&o, &p, changes), 1);
        assert_int_equal(changes[0].id, SYSCTL_OOM_DUMP_TASKS);
        assert_int_equal(changes[0].new_value, 1);
        assert_int_equal(sysctl_plan_restore(&o, &p, changes), 0);

        assert_int_equal(sysctl_plan_restore(&o, NULL, changes), 1);
        assert_int_equal(changes[0].id, SYSCTL_PANIC_ON_OOM);
        assert_int_equal(changes[0].new_value, 0);
        assert_int_equal(sysctl_plan_restore(&o, NULL, changes), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unknown_process),
                cmocka_unit_test(test_rule_writes_and_remembers_original),
                cmocka_unit_test(test_rule_already_in_place),
                cmocka_unit_test(test_reset_children_only_when_written),
                cmocka_unit_test(test_new_value_keeps_first_original),
                cmocka_unit_test(test_no_longer_matching_gets_original_back),
                cmocka_unit_test(test_reused_pid_is_another_process),
                cmocka_unit_test(test_child_of_reset_rule_gets_default),
                cmocka_unit_test(test_child_of_inherit_rule_keeps_value),
                cmocka_unit_test(test_nothing_left_to_remember),
                cmocka_unit_test(test_kernel_threads_and_zombies_untouched),
                cmocka_unit_test(test_restorable),
                cmocka_unit_test(test_sysctl_originals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
