/* SPDX-License-Identifier: MIT */
#pragma once

/* Replaces files atomically (temp file + rename) from a thread of its own, so
 * that the event loop never waits for a disk: creating or replacing a file can
 * block for tens of milliseconds (an inode block read, a synchronous discard of
 * the replaced file's blocks on a filesystem mounted with -o discard), and the
 * processes that start meanwhile would wait for their value, or be missed if
 * they live shorter than that. Newer content for a path replaces content not
 * written yet, so a slow disk costs skipped intermediate versions, not memory. */

typedef struct FileWriter FileWriter;

int file_writer_new(FileWriter **ret);
/* Writes everything still queued, then stops the thread. */
FileWriter *file_writer_free(FileWriter *w);

/* Queues a copy of content for path. -ENOMEM, or 0. */
int file_writer_submit(FileWriter *w, const char *path, const char *content);
/* Waits until everything queued so far is written (or has failed). */
void file_writer_flush(FileWriter *w);
/* The most recent failure since the last call: returns its -errno and hands over
 * the path (*ret_path, to be freed), or 0 when every write since succeeded. */
int file_writer_take_error(FileWriter *w, char **ret_path);

/* The synchronous replacement the thread does: temp file in the same directory,
 * mode 0644, rename; -errno. */
int write_file_atomic(const char *path, const char *content);
