/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/policy-load.h"
#include "ctl/ctl.h"
#include "shared/json-util.h"
#include "shared/paths.h"
#include "shared/strv.h"

void inspect_context_done(InspectContext *c) {
        if (!c)
                return;
        c->snapshot = snapshot_free(c->snapshot);
        c->fs = rootfs_free(c->fs);
        c->policy = policy_free(c->policy);
}

static int load_policy(const CtlOptions *o, bool require_policy, Policy **ret) {
        DiagList diag = {};
        int r;

        r = policy_load(o->root, o->config, ret, &diag);
        if (r == -ENOENT && !o->config && !require_policy) {
                /* Nothing installed: the processes can still be shown, without rules. */
                fprintf(stderr, "No policy installed (" POLICY_FILE "); no rules apply (use --config FILE).\n");
                diag_list_done(&diag);
                *ret = NULL;
                return 0;
        }
        diag_list_print(&diag, stderr);
        diag_list_done(&diag);
        if (r == -EINVAL)
                fprintf(stderr, "Policy has errors.\n");
        return r;
}

int ctl_inspect_open(const CtlOptions *o, bool require_policy, InspectContext *ret) {
        _cleanup_(inspect_context_done) InspectContext c = {};
        long page_size;
        int r;

        assert(o && ret);
        r = load_policy(o, require_policy, &c.policy);
        if (r < 0)
                return r;
        r = rootfs_open(o->root, &c.fs);
        if (r < 0) {
                fprintf(stderr, "Cannot open %s/proc: %s\n", o->root, strerror(-r));
                return r;
        }
        page_size = sysconf(_SC_PAGESIZE);
        if (page_size <= 0)
                return -EINVAL;
        r = snapshot_take(c.fs, (uint64_t) page_size, &c.snapshot);
        if (r < 0) {
                fprintf(stderr, "Cannot read the processes and memory of %s/proc: %s\n", o->root, strerror(-r));
                return r;
        }
        if (c.snapshot->n_unreadable > 0)
                fprintf(stderr, "warning: %zu process(es) could not be read and are left out (PID %d: %s)\n",
                        c.snapshot->n_unreadable, (int) c.snapshot->first_unreadable_pid,
                        strerror(-c.snapshot->first_unreadable_error));

        *ret = c;
        c = (InspectContext) {};
        return 0;
}

char *ctl_policy_summary(const Policy *p) {
        size_t n;
        char *s = NULL;

        if (!p)
                return strdup("none");
        n = strv_length(p->files);
        if (n <= 1)
                return strdup(n == 1 ? p->files[0] : "(empty)");
        return asprintf(&s, "%s (+%zu drop-in%s)", p->files[0], n - 1, n == 2 ? "" : "s") < 0 ? NULL : s;
}

char *ctl_rule_label(const Rule *r) {
        _cleanup_free_ char *where = NULL;
        char *s = NULL;

        if (!r)
                return NULL;
        /* Where the value is set, as apply reports it: a drop-in that only adds a
         * qualifier did not set it. */
        where = origin_to_string(&r->key_origin[RULE_KEY_OOM_SCORE_ADJ]);
        if (!where || asprintf(&s, "%s (%s)", r->name, where) < 0)
                return NULL;
        return s;
}

json_object *json_rule_label(const Rule *r) {
        _cleanup_free_ char *label = ctl_rule_label(r);

        return json_string_new(label);
}

const char *ctl_format_kib(uint64_t kib, char buf[static 16]) {
        if (kib < 1024)
                snprintf(buf, 16, "%" PRIu64 "K", kib);
        else if (kib < 1024 * 1024)
                snprintf(buf, 16, "%.1fM", (double) kib / 1024);
        else
                snprintf(buf, 16, "%.1fG", (double) kib / (1024 * 1024));
        return buf;
}

const char *ctl_user_name(const ProcInfo *info, char buf[static 32]) {
        const struct passwd *pw;

        assert(info);
        if (!(info->fields & PROC_FIELD_UID))
                return "?";
        pw = getpwuid(info->uid);
        if (pw)
                snprintf(buf, 32, "%s", pw->pw_name);
        else
                snprintf(buf, 32, "%u", (unsigned) info->uid);
        return buf;
}

size_t ctl_rows(const CtlOptions *o, size_t n) {
        assert(o);
        if (o->limit > 0)
                return MIN(n, (size_t) o->limit);
        return o->all ? n : MIN(n, (size_t) CTL_DEFAULT_ROWS);
}
