/* SPDX-License-Identifier: MIT */
/* Standalone replay driver for the fuzz targets: feeds whole files to
 * LLVMFuzzerTestOneInput() once each, so every corpus runs as an ordinary,
 * deterministic test with any compiler (and under valgrind or gdb), without
 * libFuzzer.
 *
 *   replay-TARGET [PATH...]
 *
 * A PATH that is a directory stands for the regular files in it, in name order;
 * without PATHs the target's corpus in the source tree (FUZZ_CORPUS_DIR) is
 * replayed. A finding aborts, like under libFuzzer. Exit status 1 when a path
 * cannot be read or when there was nothing to replay (an empty corpus would
 * make the test pass without testing anything). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/macro.h"
#include "shared/strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX (16u * 1024u * 1024u)

/* Reads the whole file into a buffer of exactly its size (no slack, so the
 * sanitizers see any read past the end, as they would under libFuzzer). */
static int read_input(const char *path, uint8_t **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ uint8_t *buf = NULL;
        struct stat st;
        size_t len = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (st.st_size > (off_t) INPUT_MAX)
                return -EFBIG;
        /* malloc(0) may return NULL: always allocate at least one byte, use size bytes. */
        buf = malloc(MAX((size_t) st.st_size, (size_t) 1));
        if (!buf)
                return -ENOMEM;
        while (len < (size_t) st.st_size) {
                ssize_t n = read(fd, buf + len, (size_t) st.st_size - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = len;
        return 0;
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The regular files of a directory, sorted, as full paths. */
static int list_dir(const char *dir, char ***ret) {
        _cleanup_closedir_ DIR *d = NULL;
        _cleanup_strv_free_ char **files = calloc(1, sizeof(char *));
        struct dirent *de;

        if (!files)
                return -ENOMEM;
        d = opendir(dir);
        if (!d)
                return negative_errno();
        while ((errno = 0, de = readdir(d))) {
                char *path = NULL;
                struct stat st;
                int r;

                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
                        free(path);
                        continue;
                }
                r = strv_consume(&files, path);
                if (r < 0)
                        return r;
        }
        if (errno != 0)
                return negative_errno();
        qsort(files, strv_length(files), sizeof(char *), compare_strings);
        *ret = TAKE_PTR(files);
        return 0;
}

static int replay_file(const char *path) {
        _cleanup_free_ uint8_t *data = NULL;
        size_t size = 0;
        int r;

        r = read_input(path, &data, &size);
        if (r < 0)
                return r;
        (void) LLVMFuzzerTestOneInput(data, size);
        return 0;
}

/* Replays PATH (a file, or every file of a directory); returns how many inputs ran. */
static int replay_path(const char *path, size_t *n_inputs) {
        _cleanup_strv_free_ char **files = NULL;
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return negative_errno();
        if (!S_ISDIR(st.st_mode)) {
                r = replay_file(path);
                if (r < 0)
                        return r;
                (*n_inputs)++;
                return 0;
        }
        r = list_dir(path, &files);
        if (r < 0)
                return r;
        for (char **f = files; *f; f++) {
                r = replay_file(*f);
                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", *f, strerror(-r));
                        return r;
                }
                (*n_inputs)++;
        }
        return 0;
}

int main(int argc, char *argv[]) {
        const char *default_paths[] = { FUZZ_CORPUS_DIR, NULL };
        const char *const *paths = argc > 1 ? (const char *const *) argv + 1 : default_paths;
        size_t n_inputs = 0;

        for (const char *const *p = paths; *p; p++) {
                size_t before = n_inputs;
                int r = replay_path(*p, &n_inputs);

                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", *p, strerror(-r));
                        return EXIT_FAILURE;
                }
                printf("%s: %zu inputs replayed\n", *p, n_inputs - before);
        }
        if (n_inputs == 0) {
                fprintf(stderr, "no inputs to replay\n");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
