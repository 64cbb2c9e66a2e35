/* SPDX-License-Identifier: MIT */
/* Integration test helper: many cheap processes, fast.
 *
 *   oomtest-forktree [--zombies] COUNT
 *
 * Forks COUNT children without exec (so they share the parent's comm, i.e. the
 * file name this helper was run under, and cost one fork each). A child waits
 * until killed, or with --zombies exits at once and is never reaped, so it stays
 * a zombie for as long as the parent lives. Once every child exists, the parent
 * prints "ready COUNT" on stdout and waits until killed.
 *
 * SIGTERM ends the tree quickly: the parent kills every child and reaps them
 * itself before it exits (orphans would wait for init to reap them). Should the
 * parent be killed instead, every child still gets SIGKILL (PR_SET_PDEATHSIG),
 * so the parent's PID is the handle of the whole tree. A fork that fails
 * (pids.max, pid_max, memory) is reported as "fork failed after N: ERROR" and
 * ends the tree with exit status 1. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(pid_t parent, bool zombie) {
        if (zombie)
                _exit(0);
        /* If the parent died before the death signal was armed, nobody would send it. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                _exit(1);
        for (;;)
                pause();
}

/* Kills the children (all of them are ours) and reaps them. */
static int end_tree(const pid_t *children, long n) {
        for (long i = 0; i < n; i++)
                (void) kill(children[i], SIGKILL);
        while (wait(NULL) > 0 || errno == EINTR)
                ;
        return errno == ECHILD ? 0 : 1;
}

int main(int argc, char **argv) {
        bool zombies = false;
        pid_t self = getpid(), *children;
        sigset_t stop;
        char *end;
        long count;
        int i = 1, sig;

        if (argc > 1 && strcmp(argv[1], "--zombies") == 0) {
                zombies = true;
                i++;
        }
        if (argc != i + 1) {
                fprintf(stderr, "Usage: oomtest-forktree [--zombies] COUNT\n");
                return 2;
        }
        errno = 0;
        count = strtol(argv[i], &end, 10);
        if (errno != 0 || end == argv[i] || *end || count < 0 || count > 1000000) {
                fprintf(stderr, "oomtest-forktree: invalid COUNT '%s'\n", argv[i]);
                return 2;
        }
        children = calloc((size_t) count + 1, sizeof(pid_t));
        if (!children)
                return 1;
        /* Zombies are what is wanted: no automatic reaping. SIGTERM is taken by sigwait(). */
        if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
                return 1;
        sigemptyset(&stop);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGINT);
        if (sigprocmask(SIG_BLOCK, &stop, NULL) < 0)
                return 1;

        for (long n = 0; n < count; n++) {
                pid_t pid = fork();

                if (pid == 0)
                        child(self, zombies);
                if (pid < 0) {
                        printf("fork failed after %ld: %s\n", n, strerror(errno));
                        (void) fflush(stdout);
                        (void) end_tree(children, n);
                        return 1;
                }
                children[n] = pid;
        }
        printf("ready %ld\n", count);
        if (fflush(stdout) != 0) {
                (void) end_tree(children, count);
                return 1;
        }
        while (sigwait(&stop, &sig) != 0)
                ;
        return end_tree(children, count);
}
