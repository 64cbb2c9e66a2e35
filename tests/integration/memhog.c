/* SPDX-License-Identifier: MIT */
/* A process of a known size for the top/simulate integration tests:
 * memhog MIB READY_FILE allocates MIB MiB, writes to every page so that it is
 * resident (anonymous RSS), creates READY_FILE and then sleeps until killed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
        char *end = NULL, *mem;
        unsigned long mib;
        size_t size;
        int fd;

        if (argc != 3) {
                fprintf(stderr, "usage: memhog MIB READY_FILE\n");
                return 2;
        }
        mib = strtoul(argv[1], &end, 10);
        if (!end || *end || mib == 0 || mib > 4096) {
                fprintf(stderr, "memhog: bad size '%s'\n", argv[1]);
                return 2;
        }
        size = (size_t) mib << 20;
        mem = malloc(size);
        if (!mem) {
                perror("memhog: malloc");
                return 1;
        }
        /* Non-zero, so no page can stay the shared zero page. */
        memset(mem, 0x5a, size);

        fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0 || close(fd) < 0) {
                perror("memhog: ready file");
                return 1;
        }
        for (;;)
                pause();
}
