/* SPDX-License-Identifier: MIT */
#include "report/oom-kill-line.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "report/oom-event.h"
#include "report/oom-parse-util.h"
#include "shared/macro.h"
#include "shared/string-util.h"

/* Finds the ')' closing a comm: the last one followed by one of the suffixes, so
 * a comm that itself contains ") total-vm:" still ends at the right place. */
static const char *find_comm_end(const char *start, const char *const *suffixes, size_t n_suffixes) {
        const char *found = NULL;

        for (const char *q = strchr(start, ')'); q; q = strchr(q + 1, ')'))
                for (size_t i = 0; i < n_suffixes; i++)
                        if (startswith(q + 1, suffixes[i])) {
                                found = q;
                                break;
                        }
        return found;
}

/* "total-vm:1234kB, anon-rss:5678kB, ..., UID:0 pgtables:123kB oom_score_adj:0", and
 * RHEL 7's ", UID 1000, total-vm:..." */
static void parse_kill_fields(const char *s, OomKillLine *k) {
        bool uid_next = false;

        while (*s != '\0') {
                const char *end, *colon;
                size_t len;

                while (*s == ' ' || *s == ',')
                        s++;
                end = s;
                while (*end != '\0' && *end != ' ' && *end != ',')
                        end++;
                len = (size_t) (end - s);
                if (len == 0)
                        break;

                colon = memchr(s, ':', len);
                if (uid_next) {
                        (void) oom_parse_number_span(s, end, false, &k->uid);
                        uid_next = false;
                } else if (len == 3 && strncmp(s, "UID", 3) == 0)
                        uid_next = true;
                else if (colon) {
                        static const struct {
                                const char *key;
                                size_t offset;
                                bool kb;
                        } fields[] = {
                                { "total-vm", offsetof(OomKillLine, total_vm_kb), true },
                                { "vsz", offsetof(OomKillLine, total_vm_kb), true },      /* 2.6.3x */
                                { "anon-rss", offsetof(OomKillLine, anon_rss_kb), true },
                                { "file-rss", offsetof(OomKillLine, file_rss_kb), true },
                                { "shmem-rss", offsetof(OomKillLine, shmem_rss_kb), true },
                                { "pgtables", offsetof(OomKillLine, pgtables_kb), true },
                                { "UID", offsetof(OomKillLine, uid), false },
                                { "oom_score_adj", offsetof(OomKillLine, oom_score_adj), false },
                        };
                        size_t klen = (size_t) (colon - s);

                        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                                if (strlen(fields[i].key) == klen && strncmp(s, fields[i].key, klen) == 0) {
                                        int64_t *dst = (int64_t *) ((char *) k + fields[i].offset);

                                        (void) oom_parse_number_span(colon + 1, end, fields[i].kb, dst);
                                        break;
                                }
                }
                s = end;
        }
}

/* "Kill process 4243 (stress) score 950 or sacrifice child", after its prefix */
static bool parse_selection(const char *s, OomKillLine *k) {
        static const char *const score_suffixes[] = { " score " };
        const char *q, *comm, *end;

        q = oom_parse_number(s, &k->pid);
        if (!q || !startswith(q, " ("))
                return false;
        comm = q + 2;
        end = find_comm_end(comm, score_suffixes, ELEMENTSOF(score_suffixes));
        if (!end || end - comm > OOM_MAX_COMM_LEN)
                return false;
        q = oom_parse_number(end + 8, &k->score);
        if (!q)
                return false;
        k->selection = true;
        k->comm = comm;
        k->comm_len = (size_t) (end - comm);
        return true;
}

/* "4243 (stress) total-vm:...", "4243 (stress), UID 0, ..." or "4243, UID 0, (stress) ..."
 * after "Killed process "; prefixed tells whether an "Out of memory: "-like
 * prefix came before, which the bare 2.6 form needs. */
static bool parse_victim(const char *s, bool prefixed, OomKillLine *k) {
        static const char *const victim_suffixes[] = { " total-vm:", ", UID ", " vsz:" };
        const char *q, *comm, *end;

        q = oom_parse_number(s, &k->pid);
        if (!q)
                return false;
        if (startswith(q, ", UID ")) {
                q = oom_parse_number(q + 6, &k->uid);
                if (!q || !startswith(q, ", ("))
                        return false;
                q++;
        }
        if (!startswith(q, " ("))
                return false;
        comm = q + 2;
        end = find_comm_end(comm, victim_suffixes, ELEMENTSOF(victim_suffixes));
        if (!end) {
                /* Nothing after the comm but a full stop: "Out of memory: Killed process
                 * 4243 (stress)." (2.6), or the bare "Killed process 4243 (stress)" that
                 * follows "kill process ... or a child" (2.6.2x/3x). */
                const char *rest = strrchr(comm, ')');

                if (!rest || !(streq(rest, ")") || streq(rest, ").")))
                        return false;
                end = rest;
        }
        if (end - comm > OOM_MAX_COMM_LEN)
                return false;
        k->comm = comm;
        k->comm_len = (size_t) (end - comm);
        parse_kill_fields(end + 1, k);
        return true;
}

bool oom_kill_line_parse(const char *s, OomKillLine *ret) {
        static const char *const prefixes[] = {
                "Out of memory: ",
                "Out of Memory: ",                      /* 2.6.18 */
                "Memory cgroup out of memory: ",
                "Out of memory (oom_kill_allocating_task): ",
                "No available memory (MPOL_BIND): ",
                "No available memory in cpuset: ",
        };
        const char *prefix = NULL, *q;

        assert(s);
        assert(ret);

        *ret = (OomKillLine) {
                .pid = OOM_UNSET, .score = OOM_UNSET, .uid = OOM_UNSET,
                .total_vm_kb = OOM_UNSET, .anon_rss_kb = OOM_UNSET, .file_rss_kb = OOM_UNSET,
                .shmem_rss_kb = OOM_UNSET, .pgtables_kb = OOM_UNSET, .oom_score_adj = OOM_UNSET,
        };

        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
                if (startswith(s, prefixes[i])) {
                        prefix = prefixes[i];
                        s += strlen(prefix);
                        break;
                }
        ret->memcg = prefix && startswith(prefix, "Memory cgroup");

        /* "Kill process ... or sacrifice child" (2.6.36 to 5.0), "kill process ...
         * or a child" (2.6.2x/3x), "Kill process ... and children" (2.6.18) */
        if (prefix && ((q = startswith(s, "Kill process ")) || (q = startswith(s, "kill process "))))
                return parse_selection(q, ret);
        q = startswith(s, "Killed process ");
        if (!q)
                return false;
        return parse_victim(q, prefix != NULL, ret);
}

bool oom_reaper_line_parse(const char *s, int64_t *ret_pid, const char **ret_comm, size_t *ret_comm_len) {
        const char *q, *comm, *end;
        int64_t pid;

        assert(s);
        assert(ret_pid);
        assert(ret_comm);
        assert(ret_comm_len);

        q = startswith(s, "oom_reaper: reaped process ");
        if (!q)
                return false;
        *ret_comm = NULL;
        *ret_comm_len = 0;
        q = oom_parse_number(q, &pid);
        comm = q ? startswith(q, " (") : NULL;
        *ret_pid = comm ? pid : OOM_UNSET;
        if (!comm)
                return true;
        /* The comm may hold "), now " itself; the kernel's is the last one. */
        end = NULL;
        for (const char *m = strstr(comm, "), now "); m; m = strstr(m + 1, "), now "))
                end = m;
        if (!end && endswith(comm, ")"))
                end = comm + strlen(comm) - 1;
        if (end) {
                *ret_comm = comm;
                *ret_comm_len = (size_t) (end - comm);
        }
        return true;
}

bool oom_no_killable_line_parse(const char *s) {
        const char *q;

        assert(s);

        q = startswith(s, "Kernel panic - not syncing: ");
        return startswith(q ?: s, "Out of memory and no killable processes");
}

/* Splits the tail ",task=COMM,pid=N,uid=N" off an oom-kill: summary. The comm may
 * contain commas, so the numbers are taken from the end. Returns the start of
 * ",task=", or NULL if the line does not end that way. */
static const char *find_summary_tail(const char *body, const char *search_from, int64_t *pid, int64_t *uid,
                                     const char **pid_at) {
        const char *q, *last_pid = NULL;

        for (q = strstr(body, ",pid="); q; q = strstr(q + 1, ",pid="))
                last_pid = q;
        if (!last_pid)
                return NULL;
        q = oom_parse_padded_number(last_pid + 5, pid);
        if (!q || !startswith(q, ",uid="))
                return NULL;
        q = oom_parse_padded_number(q + 5, uid);
        if (!q || *skip_blanks(q) != '\0')
                return NULL;
        *pid_at = last_pid;

        /* The first ",task=" after the cgroup path: a comm may contain ",task=", a
         * cgroup path practically never does. */
        q = strstr(search_from, ",task=");
        return q && q < last_pid ? q : NULL;
}

bool oom_kill_summary_parse(const char *s, OomKillSummary *ret) {
        const char *body, *v, *memcg_at, *task_at, *pid_at = NULL;
        int64_t pid, uid;

        assert(s);
        assert(ret);

        *ret = (OomKillSummary) { .pid = OOM_UNSET, .uid = OOM_UNSET };

        body = startswith(s, "oom-kill:");
        if (!body)
                return false;
        v = startswith(body, "constraint=");
        if (!v)
                return true;

        ret->constraint = v;
        ret->constraint_len = (size_t) (strchrnul(v, ',') - v);
        ret->memcg = (ret->constraint_len == strlen("CONSTRAINT_MEMCG") &&
                      strncmp(v, "CONSTRAINT_MEMCG", ret->constraint_len) == 0) ||
                     strstr(body, ",oom_memcg=") != NULL;

        memcg_at = strstr(body, ",task_memcg=");
        task_at = find_summary_tail(body, memcg_at ? memcg_at + 12 : body, &pid, &uid, &pid_at);
        if (!task_at)
                return true;

        ret->complete = true;
        if (memcg_at) {
                ret->task_memcg = memcg_at + 12;
                ret->task_memcg_len = (size_t) (task_at - memcg_at - 12);
        }
        ret->comm = task_at + 6;
        ret->comm_len = (size_t) (pid_at - task_at - 6);
        ret->pid = pid;
        ret->uid = oom_uid_from_signed(uid);
        return true;
}
