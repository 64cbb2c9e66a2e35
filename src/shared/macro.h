/* SPDX-License-Identifier: MIT */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include <dirent.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _pure_ __attribute__((pure))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
/* For calls that fail only if the program itself is wrong (locking an initialized
 * mutex): evaluated always, unlike assert(), and fatal when false. */
#define assert_se(expr)                                                          \
        do {                                                                     \
                if (__builtin_expect(!(expr), 0))                                \
                        abort();                                                 \
        } while (0)
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

/* Hand ownership out of a _cleanup_ variable. cppcheck, which neither parses a
 * statement expression inside a compound literal nor knows the cleanup attribute,
 * sees the plain value. */
#ifdef __CPPCHECK__
#define TAKE_PTR(p) (p)
#define TAKE_FD(fd) (fd)
#else
#define TAKE_PTR(p)                             \
        ({                                      \
                __typeof__(p) _taken_ = (p);    \
                (p) = NULL;                     \
                _taken_;                        \
        })
#define TAKE_FD(fd)                             \
        ({                                      \
                int _taken_fd_ = (fd);          \
                (fd) = -EBADF;                  \
                _taken_fd_;                     \
        })
#endif

/* Destructors accept NULL (or a negative fd) so cleanup paths need no checks. */
static inline void freep(void *p) {
        free(*(void **) p);
}
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                (void) close(*fd);
                errno = saved;
        }
}
static inline void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}
static inline void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)

#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)         \
        static inline void func##p(type *p) {           \
                if (*p)                                 \
                        func(*p);                       \
        }

/* errno as a negative return value, never 0 even if a libc call forgot to set it. */
static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

static inline const char *strna(const char *s) {
        return s ?: "n/a";
}

static inline const char *yes_no(int b) {
        return b ? "yes" : "no";
}
