/* SPDX-License-Identifier: MIT */
/* The whole policy loading path as the tools run it: policy_load() with
 * --config FILE lists FILE.d/ (suffix filter, masks, name order), checks that
 * each file may be trusted, reads it and runs the INI layer and the builder.
 *
 * Input: the main policy, optionally followed by drop-ins for FILE.d/, each
 * introduced by a separator line
 *
 *     %%%[KIND] NAME
 *
 * and holding the text up to the next separator line. KIND: none or ' ' a
 * regular file (0644), '@' a symlink to /dev/null (a mask), '/' a directory,
 * '!' a file writable by others, '~' a dangling symlink, '?' a file owned by
 * another user. NAME is cut down to [A-Za-z0-9._-] so that names without the
 * .conf suffix or with a leading dot reach the listing too; a repeated NAME
 * keeps its first entry.
 *
 * Checked beyond "no crash, no leak": a loaded policy is consistent (values in
 * range, origins inside the files read, the name index agrees with the rules,
 * indexed and linear matching pick the same rule, exactly the expected drop-ins
 * were read); a failed load returns no policy and at least one error, each
 * naming one of our files and a line that exists in it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/diag.h"
#include "shared/macro.h"
#include "match/matcher.h"
#include "config/policy-load.h"
#include "policy/policy.h"
#include "shared/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEPARATOR "%%%"
#define ENTRIES_MAX 32
#define ENTRY_NAME_MAX 40
#define FOREIGN_UID 65534

typedef enum EntryKind {
        ENTRY_FILE,
        ENTRY_MASK,
        ENTRY_DIRECTORY,
        ENTRY_WRITABLE,
        ENTRY_DANGLING,
        ENTRY_FOREIGN,
} EntryKind;

typedef struct Entry {
        EntryKind kind;
        char name[ENTRY_NAME_MAX + 1];
        const char *content;
        size_t len;
        bool created;
} Entry;

/* One private directory for the whole run (created on first use, removed at
 * exit): creating one per input would cost more than the parsing. */
typedef struct Scratch {
        char *base;
        char *main_path;      /* BASE/oompolicy.conf */
        char *dropin_dir;     /* BASE/oompolicy.conf.d */
} Scratch;

static Scratch *scratch;

/* Empties and removes the drop-in directory; every entry in it is a file, a
 * symlink or an empty directory made by us. */
static void remove_dropin_dir(const Scratch *s) {
        _cleanup_closedir_ DIR *d = opendir(s->dropin_dir);
        struct dirent *de;

        if (!d) {
                if (errno != ENOENT)
                        abort();
                return;
        }
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
                    unlinkat(dirfd(d), de->d_name, 0) < 0 &&
                    (errno != EISDIR || unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0))
                        abort();
        if (rmdir(s->dropin_dir) < 0)
                abort();
}

static void scratch_remove(void) {
        if (!scratch)
                return;
        remove_dropin_dir(scratch);
        (void) unlink(scratch->main_path);
        (void) rmdir(scratch->base);
        free(scratch->main_path);
        free(scratch->dropin_dir);
        free(scratch->base);
        free(scratch);
        scratch = NULL;
}

static const Scratch *scratch_get(void) {
        const char *tmpdir = getenv("TMPDIR");
        Scratch *s;

        if (scratch)
                return scratch;
        s = calloc(1, sizeof(*s));
        if (!s || asprintf(&s->base, "%s/oompolicy-fuzz-policy.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp") < 0)
                abort();
        if (!mkdtemp(s->base))
                abort();
        if (asprintf(&s->main_path, "%s/oompolicy.conf", s->base) < 0 ||
            asprintf(&s->dropin_dir, "%s/oompolicy.conf.d", s->base) < 0)
                abort();
        scratch = s;
        if (atexit(scratch_remove) != 0)
                abort();
        return scratch;
}

static bool is_separator(const uint8_t *p, const uint8_t *end) {
        return (size_t) (end - p) >= strlen(SEPARATOR) && memcmp(p, SEPARATOR, strlen(SEPARATOR)) == 0;
}

/* Splits the input: returns where the main file ends, fills entries. */
static size_t split_input(const uint8_t *data, size_t size, Entry *entries, size_t *ret_n) {
        const uint8_t *end = data + size, *p = data, *main_end = NULL;
        Entry *current = NULL;
        size_t n = 0;

        for (;;) {
                const uint8_t *eol = memchr(p, '\n', (size_t) (end - p));
                const uint8_t *next = eol ? eol + 1 : end;

                if (n < ENTRIES_MAX && is_separator(p, end)) {
                        const uint8_t *q = p + strlen(SEPARATOR), *line_end = eol ?: end;
                        Entry *e = &entries[n++];
                        size_t k = 0;

                        if (current)
                                current->len = (size_t) ((const char *) p - current->content);
                        else
                                main_end = p;
                        *e = (Entry) { .kind = ENTRY_FILE };
                        if (q < line_end) {
                                const char *kinds = " @/!~?", *c = memchr(kinds, *q, strlen(kinds));

                                if (c) {
                                        e->kind = (EntryKind) (c - kinds);   /* in EntryKind order */
                                        q++;
                                }
                        }
                        for (; q < line_end && k < ENTRY_NAME_MAX; q++)
                                if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
                                    *q == '.' || *q == '_' || *q == '-')
                                        e->name[k++] = (char) *q;
                        e->name[k] = '\0';
                        e->content = (const char *) next;
                        current = e;
                }
                if (next >= end)
                        break;
                p = next;
        }
        if (current)
                current->len = (size_t) ((const char *) end - current->content);
        *ret_n = n;
        return main_end ? (size_t) (main_end - data) : size;
}

static void write_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, buf, len);

                if (n <= 0)
                        abort();
                buf += n;
                len -= (size_t) n;
        }
}

static void write_main(const Scratch *s, const uint8_t *data, size_t len) {
        _cleanup_close_ int fd = open(s->main_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

        if (fd < 0)
                abort();
        write_all(fd, (const char *) data, len);
}

static void create_entry(int dir_fd, Entry *e) {
        _cleanup_close_ int fd = -EBADF;

        if (e->name[0] == '\0' || strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0)
                return;
        switch (e->kind) {
        case ENTRY_MASK:
        case ENTRY_DANGLING:
                if (symlinkat(e->kind == ENTRY_MASK ? "/dev/null" : "no-such-file", dir_fd, e->name) < 0) {
                        if (errno == EEXIST)
                                return;
                        abort();
                }
                break;
        case ENTRY_DIRECTORY:
                if (mkdirat(dir_fd, e->name, 0755) < 0) {
                        if (errno == EEXIST)
                                return;
                        abort();
                }
                break;
        default:
                fd = openat(dir_fd, e->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd < 0) {
                        if (errno == EEXIST)
                                return;
                        abort();
                }
                write_all(fd, e->content, e->len);
                if (e->kind == ENTRY_WRITABLE && fchmod(fd, 0666) < 0)
                        abort();
                /* Only root can give a file away; otherwise it stays a plain (and untrusted) file. */
                if (e->kind == ENTRY_FOREIGN && fchown(fd, FOREIGN_UID, FOREIGN_UID) < 0 && errno != EPERM)
                        abort();
        }
        e->created = true;
}

static void create_dropins(const Scratch *s, Entry *entries, size_t n) {
        _cleanup_close_ int dir_fd = -EBADF;

        remove_dropin_dir(s);
        if (n == 0)
                return;   /* no FILE.d/ at all is a case of its own */
        if (mkdir(s->dropin_dir, 0755) < 0)
                abort();
        dir_fd = open(s->dropin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                abort();
        for (size_t i = 0; i < n; i++)
                create_entry(dir_fd, &entries[i]);
}

typedef struct Input {
        const Scratch *scratch;
        const char *main_content;
        size_t main_len;
        Entry *entries;
        size_t n_entries;
} Input;

static size_t count_lines(const char *s, size_t len) {
        size_t n = 0;

        for (size_t i = 0; i < len; i++)
                n += s[i] == '\n';
        return n + (len > 0 && s[len - 1] != '\n');
}

/* The text we wrote to path, or NULL if path is not one of our regular files. */
static const char *content_of(const Input *in, const char *path, size_t *ret_len) {
        size_t dir_len = strlen(in->scratch->dropin_dir);

        if (strcmp(path, in->scratch->main_path) == 0) {
                *ret_len = in->main_len;
                return in->main_content;
        }
        if (strncmp(path, in->scratch->dropin_dir, dir_len) != 0 || path[dir_len] != '/')
                return NULL;
        for (size_t i = 0; i < in->n_entries; i++) {
                const Entry *e = &in->entries[i];

                if (e->created && strcmp(e->name, path + dir_len + 1) == 0 &&
                    (e->kind == ENTRY_FILE || e->kind == ENTRY_WRITABLE || e->kind == ENTRY_FOREIGN)) {
                        *ret_len = e->len;
                        return e->content;
                }
        }
        return NULL;
}

static bool is_our_path(const Input *in, const char *path) {
        size_t dir_len = strlen(in->scratch->dropin_dir);

        return strcmp(path, in->scratch->main_path) == 0 || strcmp(path, in->scratch->dropin_dir) == 0 ||
               (strncmp(path, in->scratch->dropin_dir, dir_len) == 0 && path[dir_len] == '/' &&
                !strchr(path + dir_len + 1, '/'));
}

/* A FILE:LINE that exists: line 0 stands for the whole file. */
static void check_location(const Input *in, const char *file, unsigned line) {
        const char *content;
        size_t len;

        if (!file || !is_our_path(in, file))
                abort();
        if (line == 0)
                return;
        content = content_of(in, file, &len);
        if (!content || line > count_lines(content, len))
                abort();
}

/* Origins must point at the policy's own copies of the file names. */
static void check_origin(const Policy *p, const Input *in, Origin o) {
        bool found = false;

        for (char **f = p->files; *f; f++)
                found = found || *f == o.file;
        if (!found || o.line == 0)
                abort();
        check_location(in, o.file, o.line);
}

static bool has_conf_suffix(const char *name) {
        size_t n = strlen(name);

        return n > 5 && strcmp(name + n - 5, ".conf") == 0 && name[0] != '.';
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The files read are the main file, then every created, unmasked *.conf in name order. */
static void check_files(const Policy *p, const Input *in) {
        const char *expected[ENTRIES_MAX] = {};
        size_t n = 0;

        for (size_t i = 0; i < in->n_entries; i++)
                if (in->entries[i].created && in->entries[i].kind != ENTRY_MASK && has_conf_suffix(in->entries[i].name))
                        expected[n++] = in->entries[i].name;
        qsort(expected, n, sizeof(char *), compare_strings);

        if (strv_length(p->files) != n + 1 || strcmp(p->files[0], in->scratch->main_path) != 0)
                abort();
        for (size_t i = 0; i < n; i++) {
                const char *f = p->files[i + 1];
                size_t dir_len = strlen(in->scratch->dropin_dir);

                if (strncmp(f, in->scratch->dropin_dir, dir_len) != 0 || f[dir_len] != '/' ||
                    strcmp(f + dir_len + 1, expected[i]) != 0)
                        abort();
        }
}

/* Rule keys split their value at blanks; an [oom_score_adj] key is one glob
 * that may contain inner blanks ("Web Content"), trimmed at both ends. */
static void check_globs(char **globs, bool short_form, bool absolute) {
        if (!globs)
                return;
        if (!globs[0])
                abort();
        for (char **g = globs; *g; g++) {
                size_t len = strlen(*g);

                if (len == 0 || strchr(*g, '\n') || glob_check(*g) || (absolute && **g != '/' && **g != '*'))
                        abort();
                if (short_form ? strchr(" \t", (*g)[0]) || strchr(" \t", (*g)[len - 1]) : strpbrk(*g, " \t\r") != NULL)
                        abort();
        }
}

static bool rule_is_indexable(const Rule *r) {
        if (!r->names)
                return false;
        for (char **n = r->names; *n; n++)
                if (!glob_is_literal(*n))
                        return false;
        return true;
}

static void check_rule(const Policy *p, const Input *in, size_t i) {
        const Rule *r = &p->rules[i];
        char *const *key_values[] = {
                [RULE_KEY_NAME] = r->names, [RULE_KEY_EXE] = r->exes, [RULE_KEY_CMDLINE] = r->cmdlines,
                [RULE_KEY_CGROUP] = r->cgroups, [RULE_KEY_USER] = r->user_names,
        };

        if (r->index != i || !r->name || !r->name[0])
                abort();
        if (r->oom_score_adj < OOM_SCORE_ADJ_MIN || r->oom_score_adj > OOM_SCORE_ADJ_MAX)
                abort();
        if (!children_mode_to_string(r->children))
                abort();
        if (!r->names && !r->exes && !r->cmdlines && !r->cgroups)
                abort();
        check_globs(r->names, r->short_form, false);
        check_globs(r->exes, false, true);
        check_globs(r->cmdlines, false, false);
        check_globs(r->cgroups, false, true);
        if (!r->uids != !r->user_names || (r->user_names && strv_length(r->user_names) != r->n_uids))
                abort();
        if (r->short_form) {
                if (strv_length(r->names) != 1 || strcmp(r->names[0], r->name) != 0 || r->exes || r->cmdlines ||
                    r->cgroups || r->uids || r->children != CHILDREN_INHERIT)
                        abort();
        } else if (strspn(r->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@:+") !=
                   strlen(r->name))
                abort();

        check_origin(p, in, r->origin);
        for (RuleKey k = 0; k < _RULE_KEY_MAX; k++) {
                bool needed = k == RULE_KEY_OOM_SCORE_ADJ || ((size_t) k < ELEMENTSOF(key_values) && key_values[k]);

                if (needed && !r->key_origin[k].file)
                        abort();
                if (r->key_origin[k].file)
                        check_origin(p, in, r->key_origin[k]);
        }
        /* Two rules of one form never share a name: a redefinition updates the first. */
        for (size_t j = 0; j < i; j++)
                if (p->rules[j].short_form == r->short_form && strcmp(p->rules[j].name, r->name) == 0)
                        abort();
}

static void check_strongest_first(const size_t *list, size_t n, size_t n_rules) {
        for (size_t k = 0; k < n; k++)
                if (list[k] >= n_rules || (k > 0 && list[k] >= list[k - 1]))
                        abort();
}

static void check_index(const Policy *p) {
        size_t n_scan = 0;

        check_strongest_first(p->scan_rules, p->n_scan_rules, p->n_rules);
        for (size_t k = 0; k < p->n_scan_rules; k++)
                if (rule_is_indexable(&p->rules[p->scan_rules[k]]))
                        abort();
        for (size_t i = 0; i < p->n_rules; i++) {
                const Rule *r = &p->rules[i];

                if (!rule_is_indexable(r)) {
                        n_scan++;
                        continue;
                }
                for (char **name = r->names; *name; name++) {
                        size_t n;
                        const size_t *list = policy_rules_for_name(p, *name, &n);
                        bool found = false;

                        if (!list)
                                abort();
                        check_strongest_first(list, n, p->n_rules);
                        for (size_t k = 0; k < n; k++) {
                                found = found || list[k] == i;
                                if (!rule_is_indexable(&p->rules[list[k]]) ||
                                    !strv_contains(p->rules[list[k]].names, *name))
                                        abort();
                        }
                        if (!found)
                                abort();
                }
        }
        if (n_scan != p->n_scan_rules)
                abort();
}

/* Each matched qualifier's recorded glob is one of the rule's own entries and
 * matches the value; every other qualifier has none. */
static void check_recorded(const Rule *r, const ProcInfo *info, const RuleMatch *m) {
        char *const *lists[] = {
                [RULE_KEY_NAME] = r->names, [RULE_KEY_EXE] = r->exes, [RULE_KEY_CMDLINE] = r->cmdlines,
                [RULE_KEY_USER] = r->user_names, [RULE_KEY_CGROUP] = r->cgroups,
        };
        const char *values[] = {
                [RULE_KEY_NAME] = m->matched_value, [RULE_KEY_EXE] = info->exe, [RULE_KEY_CMDLINE] = info->cmdline,
                [RULE_KEY_CGROUP] = info->cgroup,
        };

        for (RuleKey k = 0; k < _RULE_KEY_MAX; k++) {
                const char *glob = m->matched_glob[k];
                bool own = false;

                if (m->result[k] != QUALIFIER_MATCHED) {
                        if (glob)
                                abort();
                        continue;
                }
                if ((size_t) k >= ELEMENTSOF(lists) || !glob)
                        abort();
                for (char *const *g = lists[k]; g && *g; g++)
                        own = own || *g == glob;
                if (!own || (k != RULE_KEY_USER && (!values[k] || fnmatch(glob, values[k], 0) != 0)))
                        abort();
        }
}

/* The index is an optimization: it must pick the rule a linear scan picks. The
 * process is named `name` (its comm cut to 15 characters, as the kernel does). */
static void check_match(const Policy *p, const char *name, unsigned fields) {
        _cleanup_free_ char *exe = NULL;
        char cgroup[] = "/system.slice/x.service";
        ProcInfo info = {
                .pid = 4242,
                .ppid = 1,
                .state = 'S',
                .fields = fields,
                .uid = 0,
                .argv0 = (char *) name,
                .cmdline = (char *) name,
                .cgroup = cgroup,
        };
        const Rule *expected = NULL, *found;
        RuleMatch m;
        unsigned wanted;

        if (asprintf(&exe, "/usr/bin/%s", name) < 0)
                abort();
        info.exe = exe;
        (void) snprintf(info.comm, sizeof(info.comm), "%s", name);
        /* The reference checks every qualifier; the matcher's own path stops early. */
        for (size_t i = p->n_rules; i-- > 0 && !expected;) {
                bool matched = rule_matches(&p->rules[i], &info, &m);

                if (matched != m.matched || matched != rule_matches(&p->rules[i], &info, NULL))
                        abort();
                check_recorded(&p->rules[i], &info, &m);
                if (matched)
                        expected = &p->rules[i];
        }
        if (matcher_find_match(p, &info, &m) != expected || m.matched != !!expected)
                abort();
        found = matcher_find_rule(p, &info);
        /* The shortcut may say "maybe" wrongly, never "no", and must ask for every
         * field the winning rule looks at. */
        if (found != expected ||
            (found && (!matcher_may_match(p, &info, &wanted) || (found->proc_fields & ~wanted) != 0)))
                abort();
}

static void check_policy(const Policy *p, const Input *in) {
        unsigned proc_fields = 0;

        check_files(p, in);
        for (size_t i = 0; i < p->n_rules; i++) {
                const Rule *r = &p->rules[i];

                check_rule(p, in, i);
                proc_fields |= (r->uids ? PROC_FIELD_UID : 0u) | (r->exes ? PROC_FIELD_EXE : 0u) |
                               (r->cmdlines ? PROC_FIELD_CMDLINE : 0u) | (r->cgroups ? PROC_FIELD_CGROUP : 0u);
        }
        if (p->proc_fields != proc_fields)
                abort();

        for (SysctlId id = 0; id < _SYSCTL_MAX; id++) {
                const SysctlSetting *s = &p->sysctl[id];
                const SysctlInfo *info = sysctl_info(id);

                if (!s->set)
                        continue;
                if (s->value < info->min || s->value > info->max)
                        abort();
                check_origin(p, in, s->origin);
        }
        if (p->sysctl[SYSCTL_OVERCOMMIT_RATIO].set && p->sysctl[SYSCTL_OVERCOMMIT_KBYTES].set)
                abort();

        if (p->daemon.rescan_interval_sec > 7 * 24 * 3600 ||
            p->daemon.self_oom_score_adj < OOM_SCORE_ADJ_MIN || p->daemon.self_oom_score_adj > OOM_SCORE_ADJ_MAX ||
            p->daemon.default_oom_score_adj < OOM_SCORE_ADJ_MIN ||
            p->daemon.default_oom_score_adj > OOM_SCORE_ADJ_MAX || p->daemon.log_level < 0 ||
            p->daemon.log_level > 7 || (p->daemon.metrics_file && p->daemon.metrics_file[0] != '/'))
                abort();
        for (DaemonKey k = 0; k < _DAEMON_KEY_MAX; k++)
                if (p->daemon.origin[k].file)
                        check_origin(p, in, p->daemon.origin[k]);

        check_index(p);
        for (size_t i = 0; i < p->n_rules; i++)
                for (char **name = p->rules[i].names; name && *name; name++)
                        if (glob_is_literal(*name)) {
                                check_match(p, *name, 0);
                                check_match(p, *name, PROC_FIELD_ALL);
                        }
}

static void check_failure(const DiagList *diag, const Input *in) {
        bool all_plain = geteuid() == 0;

        /* Only the file itself can be wrong without a line: unreadable, untrusted, not a file. */
        for (size_t i = 0; i < in->n_entries; i++)
                if (in->entries[i].created && in->entries[i].kind != ENTRY_FILE && in->entries[i].kind != ENTRY_MASK)
                        all_plain = false;
        if (diag->n_errors == 0)
                abort();
        for (size_t i = 0; i < diag->n_entries; i++) {
                const DiagEntry *e = &diag->entries[i];
                _cleanup_free_ char *text = diag_entry_format(e);

                if (!text || !e->message[0] || e->warning)
                        abort();
                check_location(in, e->file, e->line);
                if (all_plain && e->line == 0)
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const Scratch *s = scratch_get();
        _cleanup_policy_ Policy *p = NULL;
        _cleanup_(diag_list_done) DiagList diag = {};
        Entry entries[ENTRIES_MAX];
        size_t n_entries, main_len;
        Input in;
        int r;

        main_len = split_input(data, size, entries, &n_entries);
        write_main(s, data, main_len);
        create_dropins(s, entries, n_entries);
        in = (Input) {
                .scratch = s,
                .main_content = (const char *) data,
                .main_len = main_len,
                .entries = entries,
                .n_entries = n_entries,
        };

        r = policy_load(NULL, s->main_path, &p, &diag);
        if (r == 0) {
                if (!p || diag.n_errors > 0)
                        abort();
                check_policy(p, &in);
        } else if (r == -EINVAL) {
                if (p)
                        abort();
                check_failure(&diag, &in);
        } else
                abort();
        return 0;
}
