/* SPDX-License-Identifier: MIT */
#include "inspect/snapshot.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inspect/badness.h"
#include "proc/proc-scan.h"
#include "shared/parse-util.h"

/* status is ~1.5 KiB, cgroup a line per v1 hierarchy: far below these. */
#define STATUS_MAX 16384
#define CGROUP_MAX 16384

void proc_record_done(ProcRecord *r) {
        if (!r)
                return;
        proc_info_done(&r->info);
        free(r->memcg_v1);
        free(r->cgroup_v2);
        r->memcg_v1 = r->cgroup_v2 = NULL;
}

uint64_t proc_record_rss_kb(const ProcRecord *r) {
        const ProcMemory *m = &r->memory;

        assert(r);
        if (!r->has_mm)
                return 0;
        /* VmRSS is the sum of the three; only 3.x kernels lack the split. */
        return m->has_rss_split ? m->rss_anon_kb + m->rss_file_kb + m->rss_shmem_kb : m->vm_rss_kb;
}

uint64_t proc_record_swap_kb(const ProcRecord *r) {
        assert(r);
        return r->has_mm ? r->memory.vm_swap_kb : 0;
}

Snapshot *snapshot_free(Snapshot *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_procs; i++)
                proc_record_done(&s->procs[i]);
        free(s->procs);
        free(s);
        return NULL;
}

/* A file of a process that exited after its directory was opened is missing
 * (ENOENT) or fails to read (ESRCH): both mean "gone". */
static int read_pid_file(int pid_fd, const char *name, size_t max, char **ret) {
        int r = read_small_file_at(pid_fd, name, max, ret, NULL);

        return r == -ENOENT ? -ESRCH : r;
}

static int read_status(int pid_fd, ProcRecord *rec) {
        _cleanup_free_ char *status = NULL;
        int r;

        r = read_pid_file(pid_fd, "status", STATUS_MAX, &status);
        if (r < 0)
                return r;
        if (proc_parse_status_uid(status, &rec->info.uid) >= 0)
                rec->info.fields |= PROC_FIELD_UID;

        r = parse_status_memory(status, &rec->memory);
        if (r == -ENODATA) {
                rec->has_mm = false;
                return 0;
        }
        if (r < 0)
                return r;
        /* A zombie whose mm is being torn down may still print Vm* lines; the
         * kernel's find_lock_task_mm() finds no mm for it. */
        rec->has_mm = !proc_info_is_kernel_thread(&rec->info) && !proc_info_is_zombie(&rec->info);
        return 0;
}

static int read_cgroups(int pid_fd, ProcRecord *rec) {
        _cleanup_free_ char *buf = NULL;
        int r;

        r = read_pid_file(pid_fd, "cgroup", CGROUP_MAX, &buf);
        if (r < 0)
                return r;
        /* The same choice as proc_read_fields(), so rules see what the daemon sees. */
        r = proc_parse_cgroup(buf, &rec->info.cgroup);
        if (r == -ENOMEM)
                return r;
        if (r >= 0)
                rec->info.fields |= PROC_FIELD_CGROUP;

        r = proc_parse_cgroup_controller(buf, "memory", &rec->memcg_v1);
        if (r < 0 && r != -ENOENT)
                return r;
        r = proc_parse_cgroup_controller(buf, NULL, &rec->cgroup_v2);
        if (r < 0 && r != -ENOENT)
                return r;
        return 0;
}

static int read_oom_score(int pid_fd, uint64_t *ret) {
        _cleanup_free_ char *buf = NULL;
        int64_t v;
        int r;

        r = read_pid_file(pid_fd, "oom_score", 32, &buf);
        if (r < 0)
                return r;
        /* 0..2000 since Linux 5.9, 0..1000 before. */
        r = parse_int64_range(buf, 0, INT64_MAX, &v);
        if (r < 0)
                return -EBADMSG;
        *ret = (uint64_t) v;
        return 0;
}

int snapshot_read_process(int pid_fd, pid_t pid, ProcRecord *ret) {
        _cleanup_(proc_record_done) ProcRecord rec = {};
        int r;

        assert(ret);
        r = proc_read_basic(pid_fd, pid, &rec.info);
        if (r < 0)
                return r;
        /* Reads exe and cmdline for processes with a user space only; uid and
         * cgroup come from our own reads below, which also give the memory. */
        r = proc_read_fields(pid_fd, PROC_FIELD_EXE | PROC_FIELD_CMDLINE, &rec.info);
        if (r < 0)
                return r;
        r = read_status(pid_fd, &rec);
        if (r < 0)
                return r;
        r = read_cgroups(pid_fd, &rec);
        if (r < 0)
                return r;
        r = read_oom_score(pid_fd, &rec.oom_score);
        if (r < 0)
                return r;

        *ret = rec;
        rec = (ProcRecord) {};
        return 0;
}

int snapshot_read_meminfo(const RootFs *fs, MemInfo *ret) {
        _cleanup_free_ char *buf = NULL;
        int r;

        assert(fs);
        /* About 1.5 KiB; 64 KiB leaves room for any future fields. */
        r = read_small_file_at(fs->proc_fd, "meminfo", 65536, &buf, NULL);
        if (r < 0)
                return r;
        return meminfo_parse(buf, ret);
}

typedef struct ScanState {
        const RootFs *fs;
        Snapshot *snapshot;
        size_t allocated;
} ScanState;

static int add_process(pid_t pid, void *userdata) {
        ScanState *st = userdata;
        Snapshot *s = st->snapshot;
        _cleanup_close_ int pid_fd = -EBADF;
        ProcRecord rec;
        int r;

        r = proc_pid_open(st->fs, pid, &pid_fd);
        if (r >= 0)
                r = snapshot_read_process(pid_fd, pid, &rec);
        if (r == -ESRCH)
                return 0;
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (s->n_unreadable++ == 0) {
                        s->first_unreadable_pid = pid;
                        s->first_unreadable_error = r;
                }
                return 0;
        }

        if (s->n_procs == st->allocated) {
                size_t m = st->allocated ? st->allocated * 2 : 256;
                ProcRecord *grown = reallocarray(s->procs, m, sizeof(ProcRecord));

                if (!grown) {
                        proc_record_done(&rec);
                        return -ENOMEM;
                }
                s->procs = grown;
                st->allocated = m;
        }
        s->procs[s->n_procs++] = rec;
        return 0;
}

int snapshot_take(const RootFs *fs, uint64_t page_size, Snapshot **ret) {
        _cleanup_snapshot_ Snapshot *s = NULL;
        ScanState st = { .fs = fs };
        int r;

        if (!fs || !ret)
                return -EINVAL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->page_size = page_size;

        r = snapshot_read_meminfo(fs, &s->meminfo);
        if (r < 0)
                return r;
        s->totalpages = meminfo_totalpages(&s->meminfo, page_size);
        if (s->totalpages == 0)
                return -EINVAL;

        st.snapshot = s;
        /* proc_scan_pids() visits PIDs in ascending order, so procs[] is sorted. */
        r = proc_scan_pids(fs, add_process, &st);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

static int compare_record_pid(const void *key, const void *elem) {
        pid_t pid = *(const pid_t *) key;
        const ProcRecord *r = elem;

        return pid < r->info.pid ? -1 : pid > r->info.pid;
}

const ProcRecord *snapshot_find(const Snapshot *s, pid_t pid) {
        if (!s || s->n_procs == 0)
                return NULL;
        return bsearch(&pid, s->procs, s->n_procs, sizeof(ProcRecord), compare_record_pid);
}
