/* SPDX-License-Identifier: MIT */
#include "apply/adj-decision.h"

#include <assert.h>
#include <stddef.h>

static const char *const adj_write_names[] = {
        [ADJ_WRITE_NONE] = "nothing",
        [ADJ_WRITE_RULE] = "rule",
        [ADJ_WRITE_RESET_CHILD] = "children = reset",
        [ADJ_WRITE_RESTORE] = "no rule matches any more",
};

const char *adj_write_to_string(AdjWrite w) {
        return w >= 0 && w < (AdjWrite) (sizeof(adj_write_names) / sizeof(adj_write_names[0])) ? adj_write_names[w]
                                                                                              : NULL;
}

static ProcMemoryUpdate keep(ProcMemory m) {
        return (ProcMemoryUpdate) { .keep = true, .memory = m };
}

static const ProcMemoryUpdate forget = { .keep = false };

static AdjDecision decide_matched(const ProcMemory *known, const ProcSeen *seen, const Rule *rule) {
        int want = rule->oom_score_adj, adj = seen->oom_score_adj;
        ProcMemory base = known ? *known : (ProcMemory) { .original = adj, .written = adj };
        AdjDecision d = {};
        ProcMemory written;

        if (seen->start_time != 0)
                base.start_time = seen->start_time;
        /* Remembered even when the value is right already (OOMScoreAdjust=, or not
         * writable): for children = reset and to name the rule if it is OOM-killed. */
        base.matched = true;
        base.lineage = false;
        if (adj == want) {
                base.reset_children = rule->children == CHILDREN_RESET;
                d.after = d.after_refused = keep(base);
                return d;
        }

        d.write = ADJ_WRITE_RULE;
        d.value = want;
        written = base;
        if (!written.changed) {
                written.original = adj;
                written.changed = true;
        }
        written.written = want;
        written.reset_children = rule->children == CHILDREN_RESET;
        d.after = keep(written);
        /* A value we could not write is not one children inherit from us. */
        base.reset_children = false;
        d.after_refused = keep(base);
        return d;
}

AdjDecision adj_decide(const ProcMemory *known, const ProcSeen *seen, const Rule *rule, int default_adj) {
        AdjDecision d = {};
        ProcMemory m;

        assert(seen);
        if (seen->skip) {
                d.after = d.after_refused = known ? keep(*known) : forget;
                return d;
        }
        if (known && known->start_time != 0 && seen->start_time != 0 && known->start_time != seen->start_time)
                known = NULL;   /* same PID, another process: its EXIT was lost in an overflow */
        if (rule)
                return decide_matched(known, seen, rule);

        d.after = d.after_refused = forget;
        if (!known)
                return d;
        m = *known;
        if (seen->start_time != 0)
                m.start_time = seen->start_time;

        if (m.lineage && seen->oom_score_adj == m.lineage_value) {
                /* The kernel copied a protected ancestor's value into a program no rule
                 * covers: give it the default, unless someone else set it meanwhile. */
                if (default_adj != seen->oom_score_adj) {
                        d.write = ADJ_WRITE_RESET_CHILD;
                        d.value = default_adj;
                }
        } else if (m.matched && m.changed) {
                /* No longer matches (renamed, other uid, rule removed): give back what it had. */
                if (seen->oom_score_adj == m.written && m.original != m.written) {
                        d.write = ADJ_WRITE_RESTORE;
                        d.value = m.original;
                }
        } else if (m.changed || m.lineage) {
                m.matched = false;
                d.after = d.after_refused = keep(m);
        }
        return d;
}

ProcMemory proc_memory_forked(const ProcMemory *parent) {
        ProcMemory child;

        assert(parent);
        child = (ProcMemory) {
                .original = parent->original,
                .written = parent->written,
                .lineage = parent->reset_children || parent->lineage,
                .lineage_value = parent->reset_children ? parent->written : parent->lineage_value,
        };
        /* A child of a reset rule's process gets the default at its exec, not its
         * parent's original at restore. */
        child.changed = parent->changed && !child.lineage;
        return child;
}

bool adj_restorable(const ProcMemory *known, const ProcSeen *seen) {
        assert(known && seen);
        return known->changed && (known->start_time == 0 || known->start_time == seen->start_time) &&
               seen->oom_score_adj == known->written;
}
