/* SPDX-License-Identifier: MIT */
#include "inspect/oom-group.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/parse-util.h"

static int read_oom_group(const RootFs *fs, const MemcgMount *m, const char *path, bool *ret) {
        _cleanup_free_ char *dir = NULL, *file = NULL, *buf = NULL;
        int r, v;

        r = memcg_path_to_dir(m, path, &dir);
        if (r < 0)
                return r;
        if (asprintf(&file, "%s/memory.oom.group", dir) < 0)
                return -ENOMEM;
        r = read_small_file_at(fs->root_fd, file, 32, &buf, NULL);
        if (r < 0)
                return r;
        if (parse_int_range(buf, 0, 1, &v) < 0)
                return -EBADMSG;
        *ret = v == 1;
        return 0;
}

int oom_group_find(const RootFs *fs, const MemcgMount *m, const char *path, const char *domain, char **ret) {
        _cleanup_free_ char *cur = NULL, *found = NULL;

        assert(fs);
        assert(m);
        assert(path);
        assert(ret);

        if (m->version != CGROUP_V2)
                return -EOPNOTSUPP;
        if (path[0] != '/')
                return -EINVAL;
        if (domain && !memcg_path_contains(domain, path))
                return -EINVAL;
        cur = strdup(path);
        if (!cur)
                return -ENOMEM;

        /* The kernel keeps walking up after a hit: the highest flagged one wins. */
        while (strcmp(cur, "/") != 0) {
                char *slash;
                bool set = false;

                if (read_oom_group(fs, m, cur, &set) == -ENOMEM)
                        return -ENOMEM;
                if (set) {
                        free(found);
                        found = strdup(cur);
                        if (!found)
                                return -ENOMEM;
                }
                if (domain && strcmp(cur, domain) == 0)
                        break;
                slash = strrchr(cur, '/');
                if (slash == cur)
                        cur[1] = '\0';
                else
                        *slash = '\0';
        }
        *ret = TAKE_PTR(found);
        return 0;
}

int oom_group_members(const Ranking *r, const char *group, pid_t **ret, size_t *ret_n) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;

        assert(r);
        assert(group);
        assert(ret);
        assert(ret_n);

        for (size_t i = 0; i < r->n_entries; i++) {
                const RankedProcess *e = &r->entries[i];

                if (e->oom_score_adj <= OOM_SCORE_ADJ_MIN || !e->proc->cgroup_v2 ||
                    !memcg_path_contains(group, e->proc->cgroup_v2))
                        continue;
                if (!pids) {
                        pids = calloc(r->n_entries, sizeof(pid_t));
                        if (!pids)
                                return -ENOMEM;
                }
                pids[n++] = e->proc->info.pid;
        }
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}
