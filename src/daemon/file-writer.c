/* SPDX-License-Identifier: MIT */
#include "daemon/file-writer.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/macro.h"

typedef struct PendingFile {
        char *path;
        char *content;
} PendingFile;

struct FileWriter {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t work;    /* something queued, or stop */
        pthread_cond_t idle;    /* nothing queued and nothing being written */
        PendingFile *queue;
        size_t n_queued, allocated;
        bool writing, stop;
        int error;
        char *error_path;
};

int write_file_atomic(const char *path, const char *content) {
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t len;
        int r;

        assert(path && content);
        len = strlen(content);
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fchmod(fd, 0644) < 0 || write(fd, content, len) != (ssize_t) len) {
                r = errno ? negative_errno() : -EIO;
                (void) unlink(tmp);
                return r;
        }
        if (rename(tmp, path) < 0) {
                r = negative_errno();
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

static void pending_file_done(PendingFile *p) {
        free(p->path);
        free(p->content);
        *p = (PendingFile) {};
}

static void *writer_main(void *userdata) {
        FileWriter *w = userdata;

        assert_se(pthread_mutex_lock(&w->lock) == 0);
        for (;;) {
                PendingFile job;
                int r;

                while (w->n_queued == 0 && !w->stop)
                        assert_se(pthread_cond_wait(&w->work, &w->lock) == 0);
                if (w->n_queued == 0)
                        break;   /* stopping, and everything is written */
                job = w->queue[0];
                memmove(w->queue, w->queue + 1, --w->n_queued * sizeof(PendingFile));
                w->writing = true;
                assert_se(pthread_mutex_unlock(&w->lock) == 0);

                r = write_file_atomic(job.path, job.content);

                assert_se(pthread_mutex_lock(&w->lock) == 0);
                w->writing = false;
                if (r < 0) {
                        free(w->error_path);
                        w->error_path = TAKE_PTR(job.path);
                        w->error = r;
                }
                pending_file_done(&job);
                if (w->n_queued == 0)
                        assert_se(pthread_cond_broadcast(&w->idle) == 0);
        }
        assert_se(pthread_cond_broadcast(&w->idle) == 0);
        assert_se(pthread_mutex_unlock(&w->lock) == 0);
        return NULL;
}

int file_writer_new(FileWriter **ret) {
        FileWriter *w;
        sigset_t all, saved;
        int r;

        assert(ret);
        w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        assert_se(pthread_mutex_init(&w->lock, NULL) == 0);
        assert_se(pthread_cond_init(&w->work, NULL) == 0);
        assert_se(pthread_cond_init(&w->idle, NULL) == 0);

        /* Signals are the event loop's (signalfd): the thread must never take one. */
        assert_se(sigfillset(&all) == 0);
        assert_se(pthread_sigmask(SIG_SETMASK, &all, &saved) == 0);
        r = pthread_create(&w->thread, NULL, writer_main, w);
        assert_se(pthread_sigmask(SIG_SETMASK, &saved, NULL) == 0);
        if (r != 0) {
                assert_se(pthread_cond_destroy(&w->idle) == 0);
                assert_se(pthread_cond_destroy(&w->work) == 0);
                assert_se(pthread_mutex_destroy(&w->lock) == 0);
                free(w);
                return -r;
        }
        *ret = w;
        return 0;
}

FileWriter *file_writer_free(FileWriter *w) {
        if (!w)
                return NULL;
        assert_se(pthread_mutex_lock(&w->lock) == 0);
        w->stop = true;
        assert_se(pthread_cond_signal(&w->work) == 0);
        assert_se(pthread_mutex_unlock(&w->lock) == 0);
        assert_se(pthread_join(w->thread, NULL) == 0);

        for (size_t i = 0; i < w->n_queued; i++)
                pending_file_done(&w->queue[i]);
        free(w->queue);
        free(w->error_path);
        assert_se(pthread_cond_destroy(&w->idle) == 0);
        assert_se(pthread_cond_destroy(&w->work) == 0);
        assert_se(pthread_mutex_destroy(&w->lock) == 0);
        free(w);
        return NULL;
}

/* The queue entry for path, appended if there is none; NULL when out of memory.
 * Called with the lock held. */
static PendingFile *queue_slot(FileWriter *w, const char *path) {
        _cleanup_free_ char *path_copy = NULL;

        for (size_t i = 0; i < w->n_queued; i++)
                if (strcmp(w->queue[i].path, path) == 0)
                        return &w->queue[i];
        path_copy = strdup(path);
        if (!path_copy)
                return NULL;
        if (w->n_queued == w->allocated) {
                size_t n = w->allocated ? w->allocated * 2 : 4;
                PendingFile *grown = realloc(w->queue, n * sizeof(PendingFile));

                if (!grown)
                        return NULL;
                w->queue = grown;
                w->allocated = n;
        }
        w->queue[w->n_queued] = (PendingFile) { .path = TAKE_PTR(path_copy) };
        return &w->queue[w->n_queued++];
}

int file_writer_submit(FileWriter *w, const char *path, const char *content) {
        _cleanup_free_ char *content_copy = NULL;
        PendingFile *slot;

        assert(w && path && content);
        content_copy = strdup(content);
        if (!content_copy)
                return -ENOMEM;
        assert_se(pthread_mutex_lock(&w->lock) == 0);
        slot = queue_slot(w, path);
        if (slot) {
                free(slot->content);
                slot->content = TAKE_PTR(content_copy);
                assert_se(pthread_cond_signal(&w->work) == 0);
        }
        assert_se(pthread_mutex_unlock(&w->lock) == 0);
        return slot ? 0 : -ENOMEM;
}

void file_writer_flush(FileWriter *w) {
        assert(w);
        assert_se(pthread_mutex_lock(&w->lock) == 0);
        while (w->n_queued > 0 || w->writing)
                assert_se(pthread_cond_wait(&w->idle, &w->lock) == 0);
        assert_se(pthread_mutex_unlock(&w->lock) == 0);
}

int file_writer_take_error(FileWriter *w, char **ret_path) {
        int r;

        assert(w && ret_path);
        assert_se(pthread_mutex_lock(&w->lock) == 0);
        r = w->error;
        *ret_path = TAKE_PTR(w->error_path);
        w->error = 0;
        assert_se(pthread_mutex_unlock(&w->lock) == 0);
        return r;
}
