/* SPDX-License-Identifier: MIT */
/* Cheap live processes for the full-scan benchmark (bench/scale-bench.sh).
 * Built static, so that a forked child costs a few pages of page tables and
 * stack and nothing else.
 *
 *   oombench-sleeper COUNT EVERY TARGET_NAME OTHER_NAME
 *
 * Forks COUNT children. Child i renames itself (prctl(PR_SET_NAME)) to
 * TARGET_NAME when i % EVERY == 0, else to OTHER_NAME, and waits. Each child
 * dies with its parent (PR_SET_PDEATHSIG), so nothing outlives the parent
 * whatever happens to it. Once every child has renamed itself the parent
 * prints "READY <forked> <targets>" and a line per child ("T PID" or "O PID"),
 * then waits for SIGTERM/SIGINT, kills its children by PID and reaps them.
 * A failed fork stops forking (the parent reports how many it got), so a
 * pids.max that is too low shows up as a short count, not as a hang.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
        unsigned long count, every, forked = 0, targets = 0;
        sigset_t set, old;
        pid_t *pids;
        int ready[2], sig;
        char *is_target;

        if (argc != 5 || (count = strtoul(argv[1], NULL, 10)) == 0 || (every = strtoul(argv[2], NULL, 10)) == 0) {
                fprintf(stderr, "usage: oombench-sleeper COUNT EVERY TARGET_NAME OTHER_NAME\n");
                return 2;
        }
        pids = calloc(count, sizeof(pid_t));
        is_target = calloc(count, 1);
        if (!pids || !is_target || pipe(ready) < 0) {
                perror("oombench-sleeper");
                return 1;
        }
        /* Signals are taken with sigwait(); children unblock nothing and just pause. */
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigprocmask(SIG_BLOCK, &set, &old);

        for (unsigned long i = 0; i < count; i++) {
                pid_t pid = fork();

                if (pid < 0) {
                        fprintf(stderr, "oombench-sleeper: fork %lu: %s\n", i + 1, strerror(errno));
                        break;
                }
                if (pid == 0) {
                        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                        if (getppid() == 1)
                                _exit(0);
                        (void) prctl(PR_SET_NAME, i % every == 0 ? argv[3] : argv[4], 0, 0, 0);
                        close(ready[0]);
                        close(ready[1]);   /* EOF for the parent once every child got here */
                        sigprocmask(SIG_SETMASK, &old, NULL);
                        for (;;)
                                pause();
                }
                pids[forked] = pid;
                is_target[forked] = i % every == 0;
                targets += i % every == 0;
                forked++;
        }
        close(ready[1]);
        for (;;) {
                char c;

                if (read(ready[0], &c, 1) < 0 && errno == EINTR)
                        continue;
                break;
        }
        printf("READY %lu %lu\n", forked, targets);
        for (unsigned long i = 0; i < forked; i++)
                printf("%c %d\n", is_target[i] ? 'T' : 'O', (int) pids[i]);
        fflush(stdout);

        while (sigwait(&set, &sig) != 0)
                ;
        for (unsigned long i = 0; i < forked; i++)
                kill(pids[i], SIGKILL);
        for (unsigned long i = 0; i < forked; i++)
                while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
                        ;
        return 0;
}
