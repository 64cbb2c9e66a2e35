/* SPDX-License-Identifier: MIT */
#pragma once

/* Where the memory controller lives and what limit governs an OOM inside a
 * memory cgroup, for `oompolicyctl simulate --cgroup PATH`.
 *
 * PATH is a cgroup path as /proc/PID/cgroup shows it ("/system.slice/foo.service"):
 * on a v1 memory hierarchy the "memory" controller line, on v2 the "0::" line.
 * All file access goes through RootFs, relative to its root, so tests can use a
 * fake ROOT/proc/self/mountinfo and ROOT/sys/fs/cgroup tree. */

#include <stdbool.h>
#include <stdint.h>

#include "inspect/badness.h"
#include "shared/macro.h"
#include "proc/rootfs.h"

typedef struct MemcgMount {
        CgroupVersion version;
        char *mount_point;    /* relative to the root, no leading '/': "sys/fs/cgroup/memory" */
        char *mount_root;     /* the cgroup mounted there, "/" unless a subtree is bind-mounted */
} MemcgMount;

void memcg_mount_done(MemcgMount *m);

/* Pure. Finds the memory controller's mount in the text of
 * /proc/self/mountinfo: a v1 "cgroup" mount with the "memory" super option
 * (a controller is bound to at most one v1 hierarchy, and then it is not on
 * v2), else the first "cgroup2" mount. Whether that v2 mount really has the
 * memory controller is for the caller to check (cgroup.controllers).
 * Mount points with escaped characters (\040 for a blank) are unescaped.
 * -ENOENT when there is neither, -EBADMSG for a malformed line. */
int mountinfo_find_memcg(const char *mountinfo, MemcgMount *ret);

/* Pure. The directory, relative to the root, holding the limit files of the
 * cgroup at path on mount m: mount_point + path (with mount_root stripped).
 * path must be absolute, without "." or ".." components; one trailing '/' and
 * repeated slashes are tolerated. -EINVAL for a bad path, -ENOENT when path
 * lies outside the mounted subtree. */
int memcg_path_to_dir(const MemcgMount *m, const char *path, char **ret);

/* Pure. The canonical form of a cgroup path ("/a//b/" -> "/a/b", "/" stays),
 * with the same checks as memcg_path_to_dir(). */
int memcg_path_normalize(const char *path, char **ret);

/* Pure. Whether the cgroup path `member` is `cgroup` or below it; both must be
 * in canonical form. */
bool memcg_path_contains(const char *cgroup, const char *member);

/* Finds the memory controller: ROOT/proc/self/mountinfo first; when that is
 * unreadable, probes ROOT/sys/fs/cgroup/memory (v1) and ROOT/sys/fs/cgroup
 * (v2). For v2 the root's cgroup.controllers must list "memory". -ENOENT when
 * there is no memory controller. */
int memcg_mount_find(const RootFs *fs, MemcgMount *ret);

/* Reads the limits of one cgroup: v2 memory.max and memory.swap.max, v1
 * memory.limit_in_bytes, memory.memsw.limit_in_bytes and memory.swappiness.
 * Files absent where the kernel does not create them count as unlimited (the
 * root cgroup, swap accounting off); v2 and a v1 cgroup without
 * memory.swappiness use global_swappiness. -ENOENT when the cgroup does not
 * exist, -ENOTDIR when the path is no directory, -EBADMSG for a malformed value,
 * other errors as the read returned them. */
int memcg_read_limits(const RootFs *fs, const MemcgMount *m, const char *path, unsigned global_swappiness,
                      MemcgLimits *ret);

typedef struct MemcgDomain {
        /* The cgroup whose limit an OOM would hit: the path asked for, or its
         * nearest ancestor with a limit; NULL when neither has one (only a
         * global OOM can then reach the processes there). Canonical form. */
        char *cgroup;
        MemcgLimits limits;        /* of that cgroup; unset when cgroup is NULL */
        uint64_t totalpages;       /* what oom_badness() gets: the memcg's, or the global one */
} MemcgDomain;

void memcg_domain_done(MemcgDomain *d);

/* Resolves where an OOM for the cgroup at path would happen, walking up from
 * an unlimited cgroup as the kernel effectively does: charges to an unlimited
 * cgroup fail only at a limited ancestor, whose OOM then picks among all the
 * processes below that ancestor. total_ram_pages and total_swap_pages are the
 * global MemTotal and SwapTotal in pages. Errors as memcg_read_limits() for
 * the path itself. */
int memcg_find_domain(const RootFs *fs, const MemcgMount *m, const char *path, uint64_t total_ram_pages,
                      uint64_t total_swap_pages, uint64_t page_size, unsigned global_swappiness,
                      MemcgDomain *ret);
