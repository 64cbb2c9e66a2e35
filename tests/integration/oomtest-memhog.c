/* SPDX-License-Identifier: MIT */
/* oomtest-memhog MIB [STEP_MS [READY_FILE]]: makes MIB MiB of anonymous memory
 * resident (1 MiB every STEP_MS milliseconds when STEP_MS > 0, else at once),
 * creates READY_FILE if given, then sleeps until killed. The top/simulate and
 * OOM tests copy it under the names their policies match, so the sizes the
 * kernel compares are known exactly. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

static int parse(const char *s, unsigned long *ret) {
        char *end;

        errno = 0;
        *ret = strtoul(s, &end, 10);
        return errno == 0 && end != s && *end == '\0' ? 0 : -EINVAL;
}

int main(int argc, char **argv) {
        unsigned long mib, step_ms = 0;

        if (argc < 2 || argc > 4 || parse(argv[1], &mib) < 0 || (argc >= 3 && parse(argv[2], &step_ms) < 0)) {
                fprintf(stderr, "usage: %s MIB [STEP_MS [READY_FILE]]\n", argv[0]);
                return 2;
        }
        for (unsigned long i = 0; i < mib; i++) {
                char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

                if (p == MAP_FAILED) {
                        perror("mmap");
                        return 1;
                }
                memset(p, 0x5a, MIB);
                if (step_ms > 0) {
                        struct timespec ts = { .tv_sec = (time_t) (step_ms / 1000),
                                               .tv_nsec = (long) (step_ms % 1000) * 1000000L };

                        (void) nanosleep(&ts, NULL);
                }
        }
        if (argc == 4) {
                int fd = open(argv[3], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

                if (fd < 0 || close(fd) < 0) {
                        perror(argv[3]);
                        return 1;
                }
        }
        for (;;)
                (void) pause();
}
