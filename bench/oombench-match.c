/* SPDX-License-Identifier: MIT */
/* Micro-benchmark of the daemon's per-process work, linked against libcore.a,
 * so that the cost of one evaluation can be split into its parts without the
 * noise of a shared machine (CPU time of this process, not wall time):
 *
 *   oombench-match CONFIG [TARGET_NAME [BUDGET_MS]]
 *
 * Each number is the mean over as many calls as fit in BUDGET_MS (default
 * 200) of CPU time.
 *
 * load_ms      policy_load() of CONFIG (+ CONFIG.d/): startup and reload cost
 *              (CPU; load_wall_ms: wall clock)
 * policy_kb    VmRSS growth over policy_load(): what the loaded policy costs
 *              in memory (the builder's garbage included, as in the daemon)
 * open_us      proc_pid_open() + close of a live process
 * comm_us      proc_read_comm(): what an EXEC/COMM/UID event of a process the
 *              daemon keeps no state for reads first
 * read_us      proc_read_info() with every field the policy uses (proc_fields):
 *              the most a process some rule could match costs to read
 * read_min_us  proc_read_info() with no optional fields (stat + oom_score_adj):
 *              what a scan reads for every process
 * miss_us      matcher_find_rule() for a process no rule names
 * hit_us       matcher_find_rule() for TARGET_NAME (default oombench-tgt)
 * eval_miss_us the daemon's whole evaluation of a live process it keeps no
 *              state for, after its EXEC event, write excluded: proc_read_comm(),
 *              matcher_may_match(), the fields its candidate rules need if it
 *              may match, matcher_find_rule()
 * eval_hit_us  the same for a live process named TARGET_NAME
 * write_us     setting the value after a match: proc_open_oom_score_adj() (open
 *              for reading and writing, read), proc_write_oom_score_adj_fd(), close
 *
 * The live processes are forked before the policy is loaded: a fork after a
 * large load would make this process pay copy-on-write faults on its heap in
 * the first measurements, which the daemon (it does not fork) never does.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "match/matcher.h"
#include "config/policy-load.h"
#include "proc/proc-info.h"
#include "proc/rootfs.h"

static uint64_t budget_ns = 200ULL * 1000ULL * 1000ULL;   /* CPU time per measurement */

static uint64_t clock_ns(clockid_t clock) {
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static uint64_t cpu_ns(void) {
        return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

/* Runs fn until BUDGET_NS of CPU time is used; returns CPU us per call. */
#define MEASURE(result, body)                                                  \
        do {                                                                   \
                uint64_t t0_ = cpu_ns(), t_;                                   \
                unsigned long n_ = 0;                                          \
                do {                                                           \
                        for (int k_ = 0; k_ < 16; k_++, n_++) { body; }        \
                        t_ = cpu_ns() - t0_;                                   \
                } while (t_ < budget_ns);                                      \
                (result) = (double) t_ / 1000.0 / (double) n_;                 \
        } while (0)

static long vm_rss_kb(void) {
        char line[256];
        long kb = -1;
        FILE *f = fopen("/proc/self/status", "re");

        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %ld", &kb) == 1)
                        break;
        fclose(f);
        return kb;
}

/* A child that waits under `name` (cut to the kernel's 15 characters) until we die. */
static pid_t fork_sleeper(const char *name) {
        pid_t pid = fork();

        if (pid == 0) {
                (void) prctl(PR_SET_NAME, name, 0, 0, 0);
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                pause();
                _exit(0);
        }
        return pid;
}

/* What the daemon does for an EXEC/COMM event, up to the decision (see evaluate_untracked_fd()). */
static const Rule *evaluate(const Policy *p, int pid_fd, pid_t pid) {
        ProcInfo info = { .pid = pid };
        const Rule *rule = NULL;
        unsigned fields;

        if (proc_read_comm(pid_fd, info.comm) < 0)
                return NULL;
        if (matcher_may_match(p, &info, &fields) && proc_read_fields(pid_fd, fields, &info) >= 0)
                rule = matcher_find_rule(p, &info);
        proc_info_done(&info);
        return rule;
}

int main(int argc, char **argv) {
        const char *target = argc > 2 ? argv[2] : "oombench-tgt";
        Policy *p = NULL;
        DiagList diag = {};
        RootFs *fs = NULL;
        ProcInfo info = {}, hit = {};
        double load_ms, load_wall_ms, open_us, comm_us, read_us, read_min_us, miss_us, hit_us, eval_miss_us, eval_hit_us,
                write_us;
        uint64_t t0, w0;
        long rss0, rss1;
        volatile const Rule *sink;
        int pid_fd, target_fd, r, v = 0;
        pid_t child, target_child;

        if (argc < 2) {
                fprintf(stderr, "usage: oombench-match CONFIG [TARGET_NAME [BUDGET_MS]]\n");
                return 2;
        }
        if (argc > 3 && atoi(argv[3]) > 0)
                budget_ns = (uint64_t) atoi(argv[3]) * 1000000ULL;

        /* Live processes to read: one under a name no rule has, one under the target's. */
        child = fork_sleeper("bench-victim");
        target_child = fork_sleeper(target);
        if (child < 0 || target_child < 0) {
                perror("oombench-match: fork");
                return 1;
        }
        usleep(20000);

        rss0 = vm_rss_kb();
        w0 = clock_ns(CLOCK_MONOTONIC);
        t0 = cpu_ns();
        r = policy_load("/", argv[1], &p, &diag);
        load_ms = (double) (cpu_ns() - t0) / 1e6;
        load_wall_ms = (double) (clock_ns(CLOCK_MONOTONIC) - w0) / 1e6;
        rss1 = vm_rss_kb();
        if (r < 0) {
                diag_list_print(&diag, stderr);
                return 1;
        }

        if (rootfs_open("/", &fs) < 0 || proc_pid_open(fs, child, &pid_fd) < 0 ||
            proc_pid_open(fs, target_child, &target_fd) < 0) {
                fprintf(stderr, "oombench-match: cannot open /proc/%d\n", (int) child);
                return 1;
        }

        MEASURE(open_us, {
                int fd;
                if (proc_pid_open(fs, child, &fd) >= 0)
                        close(fd);
        });
        MEASURE(comm_us, {
                char comm[PROC_COMM_MAX];
                (void) proc_read_comm(pid_fd, comm);
        });
        MEASURE(read_us, {
                ProcInfo i = {};
                if (proc_read_info(pid_fd, child, p->proc_fields, &i) >= 0)
                        proc_info_done(&i);
        });
        MEASURE(read_min_us, {
                ProcInfo i = {};
                if (proc_read_info(pid_fd, child, 0, &i) >= 0)
                        proc_info_done(&i);
        });
        if (proc_read_info(pid_fd, child, p->proc_fields, &info) < 0)
                return 1;
        hit = info;
        hit.exe = hit.argv0 = hit.cmdline = hit.cgroup = NULL;
        snprintf(hit.comm, sizeof(hit.comm), "%s", target);
        MEASURE(miss_us, sink = matcher_find_rule(p, &info));
        MEASURE(hit_us, sink = matcher_find_rule(p, &hit));
        MEASURE(eval_miss_us, sink = evaluate(p, pid_fd, child));
        MEASURE(eval_hit_us, sink = evaluate(p, target_fd, target_child));
        (void) sink;
        MEASURE(write_us, {
                int adj_fd = -EBADF;
                int old;
                if (proc_open_oom_score_adj(pid_fd, &adj_fd, &old) >= 0)
                        (void) proc_write_oom_score_adj_fd(adj_fd, 100 + (v++ & 1));
                if (adj_fd >= 0)
                        close(adj_fd);
        });

        printf("RESULT group=match rules=%zu globs_scanned=%zu proc_fields=0x%x load_ms=%.1f load_wall_ms=%.1f "
               "policy_kb=%ld open_us=%.2f comm_us=%.2f read_us=%.2f read_min_us=%.2f miss_us=%.3f hit_us=%.3f "
               "eval_miss_us=%.2f eval_hit_us=%.2f write_us=%.2f target_matched=%s live_target_matched=%s\n",
               p->n_rules, p->n_scan_rules, p->proc_fields, load_ms, load_wall_ms, rss1 - rss0, open_us, comm_us, read_us,
               read_min_us, miss_us, hit_us, eval_miss_us, eval_hit_us, write_us,
               matcher_find_rule(p, &hit) ? "yes" : "no", evaluate(p, target_fd, target_child) ? "yes" : "no");

        kill(child, SIGKILL);
        kill(target_child, SIGKILL);
        waitpid(child, NULL, 0);
        waitpid(target_child, NULL, 0);
        close(pid_fd);
        close(target_fd);
        proc_info_done(&info);
        policy_free(p);
        rootfs_free(fs);
        diag_list_done(&diag);
        return 0;
}
