/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-place.h"
#include "config/policy-load.h"
#include "ctl/ctl.h"
#include "shared/parse-util.h"
#include "shared/strv.h"
#include "config/sysctl-d.h"
#include "shared/json-util.h"

static char **rule_key_values(const Rule *r, RuleKey k) {
        switch (k) {
        case RULE_KEY_NAME:
                return r->names;
        case RULE_KEY_EXE:
                return r->exes;
        case RULE_KEY_CMDLINE:
                return r->cmdlines;
        case RULE_KEY_CGROUP:
                return r->cgroups;
        case RULE_KEY_USER:
                return r->user_names;
        default:
                return NULL;
        }
}

static void print_rule(const Rule *r) {
        _cleanup_free_ char *where = origin_to_string(&r->origin);

        if (r->short_form)
                printf("  [oom_score_adj] %s = %d  (%s)\n", r->name, r->oom_score_adj, strna(where));
        else {
                _cleanup_free_ char *adj_where = origin_to_string(&r->key_origin[RULE_KEY_OOM_SCORE_ADJ]);

                printf("  [rule:%s]  (%s)\n", r->name, strna(where));
                for (RuleKey k = 0; k < RULE_KEY_OOM_SCORE_ADJ; k++) {
                        char **values = rule_key_values(r, k);
                        _cleanup_free_ char *joined = NULL, *kw = NULL;

                        if (!values)
                                continue;
                        joined = strv_join(values, " ");
                        kw = origin_to_string(&r->key_origin[k]);
                        printf("      %-14s = %-40s (%s)\n", rule_key_to_string(k), strna(joined), strna(kw));
                }
                printf("      %-14s = %-40d (%s)\n", "oom_score_adj", r->oom_score_adj, strna(adj_where));
                if (r->children != CHILDREN_INHERIT) {
                        _cleanup_free_ char *cw = origin_to_string(&r->key_origin[RULE_KEY_CHILDREN]);
                        printf("      %-14s = %-40s (%s)\n", "children", children_mode_to_string(r->children), strna(cw));
                }
        }
}

static void daemon_value(const DaemonSettings *d, DaemonKey k, char *buf, size_t n) {
        switch (k) {
        case DAEMON_KEY_RESCAN_INTERVAL:
                snprintf(buf, n, "%" PRIu64, d->rescan_interval_sec);
                break;
        case DAEMON_KEY_SELF_OOM_SCORE_ADJ:
                snprintf(buf, n, "%d", d->self_oom_score_adj);
                break;
        case DAEMON_KEY_DEFAULT_OOM_SCORE_ADJ:
                snprintf(buf, n, "%d", d->default_oom_score_adj);
                break;
        case DAEMON_KEY_LOG_LEVEL:
                snprintf(buf, n, "%s", log_level_to_string(d->log_level));
                break;
        case DAEMON_KEY_METRICS_FILE:
                snprintf(buf, n, "%s", d->metrics_file ?: "");
                break;
        case DAEMON_KEY_WATCH_KERNEL_LOG:
                snprintf(buf, n, "%s", yes_no(d->watch_kernel_log));
                break;
        case DAEMON_KEY_RESTORE_ON_EXIT:
                snprintf(buf, n, "%s", yes_no(d->restore_on_exit));
                break;
        default:
                buf[0] = '\0';
        }
}

static void print_policy(const Policy *p) {
        char value[4096];

        printf("Policy files (read in this order):\n");
        for (char **f = p->files; *f; f++)
                printf("  %s\n", *f);
        printf("\nRules (%zu; when several match a process, the last one listed wins):\n", p->n_rules);
        for (size_t i = 0; i < p->n_rules; i++)
                print_rule(&p->rules[i]);
        if (p->n_rules == 0)
                printf("  (none)\n");
        printf("\nSysctls:\n");
        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                _cleanup_free_ char *where = NULL;

                if (!p->sysctl[id].set)
                        continue;
                where = origin_to_string(&p->sysctl[id].origin);
                printf("  %-28s = %-10" PRId64 " (%s)\n", sysctl_info(id)->key, p->sysctl[id].value, strna(where));
        }
        printf("\nDaemon settings:\n");
        for (DaemonKey k = 0; k < _DAEMON_KEY_MAX; k++) {
                _cleanup_free_ char *where = origin_to_string(&p->daemon.origin[k]);

                daemon_value(&p->daemon, k, value, sizeof(value));
                printf("  %-22s = %-20s (%s)\n", daemon_key_to_string(k), value, strna(where));
        }
}

static json_object *strv_to_json(char **l) {
        json_object *a;

        if (!l)
                return NULL;
        a = json_object_new_array();
        for (char **i = l; *i; i++)
                json_object_array_add(a, json_string_new(*i));
        return a;
}

static json_object *policy_to_json(const CtlOptions *opt, const Policy *p, const DiagList *diag,
                                   const LintList *lints) {
        json_object *root = json_object_new_object(), *files = json_object_new_array(),
                    *rules = json_object_new_array(), *sysctls = json_object_new_object(),
                    *daemon = json_object_new_object(), *warnings = json_object_new_array();
        char value[4096];

        for (char **f = p->files; *f; f++)
                json_object_array_add(files, json_string_new(*f));
        for (size_t i = 0; i < p->n_rules; i++) {
                const Rule *r = &p->rules[i];
                json_object *o = json_object_new_object();

                json_object_object_add(o, "rule", json_string_new(r->name));
                json_object_object_add(o, "short_form", json_object_new_boolean(r->short_form));
                json_object_object_add(o, "origin", json_origin(&r->origin));
                for (RuleKey k = 0; k < RULE_KEY_OOM_SCORE_ADJ; k++)
                        json_object_object_add(o, rule_key_to_string(k), strv_to_json(rule_key_values(r, k)));
                json_object_object_add(o, "oom_score_adj", json_object_new_int(r->oom_score_adj));
                json_object_object_add(o, "children", json_string_new(children_mode_to_string(r->children)));
                json_object_array_add(rules, o);
        }
        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                json_object *o;

                if (!p->sysctl[id].set)
                        continue;
                o = json_object_new_object();
                json_object_object_add(o, "value", json_object_new_int64(p->sysctl[id].value));
                json_object_object_add(o, "origin", json_origin(&p->sysctl[id].origin));
                json_object_object_add(sysctls, sysctl_info(id)->key, o);
        }
        for (DaemonKey k = 0; k < _DAEMON_KEY_MAX; k++) {
                daemon_value(&p->daemon, k, value, sizeof(value));
                json_object_object_add(daemon, daemon_key_to_string(k), json_string_new(value));
        }
        for (size_t i = 0; i < diag->n_entries; i++) {
                _cleanup_free_ char *s = diag_entry_format(&diag->entries[i]);
                if (s)
                        json_object_array_add(warnings, json_string_new(s));
        }
        json_object_object_add(root, "valid", json_object_new_boolean(true));
        json_object_object_add(root, "files", files);
        json_object_object_add(root, "rules", rules);
        json_object_object_add(root, "sysctl", sysctls);
        json_object_object_add(root, "daemon", daemon);
        json_object_object_add(root, "warnings", warnings);
        json_object_object_add(root, "lints", ctl_lints_to_json(opt, lints));
        json_object_object_add(root, "lint_notes", ctl_lint_notes_to_json(lints));
        return root;
}

int verb_check(const CtlOptions *o, int argc, char **argv) {
        _cleanup_policy_ Policy *p = NULL;
        DiagList diag = {};
        LintList lints = {};
        int r;

        if (o->as && argc != 1) {
                fprintf(stderr, "oompolicyctl check: --as INSTALLED_PATH needs the FILE to check\n"
                        "Try 'oompolicyctl check --help' for more information.\n");
                return CTL_EXIT_USAGE;
        }
        if (!o->as && argc > 0) {
                fprintf(stderr, "oompolicyctl check: a FILE is only taken with --as INSTALLED_PATH "
                        "(the whole policy alone: --config FILE)\n"
                        "Try 'oompolicyctl check --help' for more information.\n");
                return CTL_EXIT_USAGE;
        }
        if (o->as) {
                r = policy_load_as(o->root, o->config,
                                   &(const PolicySubstitution) { .installed_path = o->as, .file = argv[0] }, &p, &diag);
                if (r == -EXDEV) {
                        _cleanup_free_ char *valid = conf_place_describe_valid(o->config);

                        fprintf(stderr, "oompolicyctl check: --as %s: not a file the policy is read from; "
                                "valid are %s\n", o->as, strna(valid));
                        diag_list_done(&diag);
                        return CTL_EXIT_USAGE;
                }
                diag_list_print(&diag, stderr);
        } else
                r = ctl_load_policy(o, &p, &diag);
        if (r < 0) {
                if (o->json) {
                        _cleanup_json_ json_object *root = json_object_new_object();
                        json_object *errors = json_object_new_array();

                        for (size_t i = 0; i < diag.n_entries; i++) {
                                _cleanup_free_ char *s = diag_entry_format(&diag.entries[i]);
                                if (s)
                                        json_object_array_add(errors, json_string_new(s));
                        }
                        json_object_object_add(root, "valid", json_object_new_boolean(false));
                        json_object_object_add(root, "errors", errors);
                        ctl_print_json(root);
                }
                if (r == -EINVAL)
                        fprintf(stderr, "%zu error(s); nothing of this policy would be applied.\n", diag.n_errors);
                diag_list_done(&diag);
                return r;
        }
        diag_list_done(&diag);

        r = sysctl_d_check_conflicts(o->root, p, &diag);
        if (r < 0)
                fprintf(stderr, "warning: could not compare with sysctl.d files: %s\n", strerror(-r));
        diag_list_print(&diag, stderr);

        r = ctl_run_lints(o, p, &lints);
        if (r < 0) {
                fprintf(stderr, "Cannot run the lints: %s\n", strerror(-r));
                diag_list_done(&diag);
                lint_list_done(&lints);
                return r;
        }
        ctl_print_lints(o, &lints, stderr);

        if (o->json) {
                _cleanup_json_ json_object *root = policy_to_json(o, p, &diag, &lints);
                ctl_print_json(root);
        } else
                print_policy(p);
        diag_list_done(&diag);
        r = o->strict && lints.n_lints > 0 ? -EUCLEAN : 0;
        lint_list_done(&lints);
        return r;
}
