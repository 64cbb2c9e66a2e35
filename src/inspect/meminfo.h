/* SPDX-License-Identifier: MIT */
#pragma once

/* Pure parsers for the memory numbers the OOM badness math needs. They take
 * the file contents as a NUL-terminated string (the caller reads /proc) and
 * never touch the file system, so tests and fuzzers can feed them anything.
 *
 * Errors: -EINVAL for NULL arguments, -EBADMSG for malformed or incomplete
 * input, -ERANGE for numbers that do not fit, -ENODATA where documented. */

#include <stdbool.h>
#include <stdint.h>

typedef struct MemInfo {
        uint64_t mem_total_kb;
        uint64_t mem_free_kb;
        uint64_t mem_available_kb;     /* only valid if has_mem_available */
        uint64_t swap_total_kb;
        uint64_t swap_free_kb;
        bool has_mem_available;        /* MemAvailable: is missing before Linux 3.14 */
} MemInfo;

/* /proc/meminfo. MemTotal, MemFree, SwapTotal and SwapFree are required (the
 * kernel prints the swap lines even with no swap configured); MemAvailable is
 * optional. Lines we do not use are skipped without being validated, so new
 * kernel fields never break us; a required key seen twice is -EBADMSG. */
int meminfo_parse(const char *buf, MemInfo *ret);

typedef struct ProcMemory {
        uint64_t vm_rss_kb;            /* VmRSS: = RssAnon + RssFile + RssShmem */
        uint64_t rss_anon_kb;          /* the three Rss* are only valid if has_rss_split */
        uint64_t rss_file_kb;
        uint64_t rss_shmem_kb;
        uint64_t vm_swap_kb;           /* VmSwap: MM_SWAPENTS */
        uint64_t vm_pte_kb;            /* VmPTE: mm_pgtables_bytes() >> 10 */
        bool has_rss_split;            /* RssAnon/RssFile/RssShmem exist since Linux 4.5 */
} ProcMemory;

/* The memory lines of /proc/PID/status. Returns -ENODATA when the task has no
 * mm at all (kernel threads and zombies print no Vm* lines), which callers
 * should treat as "unkillable" rather than as an error; -EBADMSG when only
 * some of VmRSS/VmSwap/VmPTE are present or a value is malformed. The Rss*
 * split must be all-or-nothing too. */
int parse_status_memory(const char *buf, ProcMemory *ret);

/* A cgroup limit file: v2 memory.max / memory.swap.max ("max" or bytes) or v1
 * memory.limit_in_bytes / memory.memsw.limit_in_bytes (bytes). "max" yields
 * UINT64_MAX. A v1 "unlimited" value (PAGE_COUNTER_MAX * PAGE_SIZE, e.g.
 * 9223372036854771712 with 4 KiB pages) is returned as the number it is;
 * memcg_totalpages() recognizes it. One trailing newline is allowed. */
int parse_cgroup_limit(const char *buf, uint64_t *ret);
