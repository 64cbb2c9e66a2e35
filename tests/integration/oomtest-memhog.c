/* SPDX-License-Identifier: MIT */
/* oomtest-memhog MIB [STEP_MS]: makes MIB MiB of anonymous memory resident
 * (1 MiB every STEP_MS milliseconds when given, else at once), then sleeps
 * until killed. The end-to-end OOM test copies it under the names its policy
 * matches, so the sizes the kernel compares are known exactly. */
#include <errno.h>
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

        if (argc < 2 || argc > 3 || parse(argv[1], &mib) < 0 || (argc == 3 && parse(argv[2], &step_ms) < 0)) {
                fprintf(stderr, "usage: %s MIB [STEP_MS]\n", argv[0]);
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
        for (;;)
                (void) pause();
}
