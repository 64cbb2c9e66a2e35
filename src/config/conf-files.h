/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "shared/diag.h"

/* Drop-in handling the systemd way: files named *.conf from several directories,
 * merged by file name (a directory earlier in `dirs` wins), sorted by file name;
 * a file that is a symlink to /dev/null (or empty and named so by a mask) masks
 * the same name in later directories. Paths are relative to `root`. */
int conf_files_list_dropins(const char *root, const char *const *dirs, char ***ret_paths);

/* The policy files in read order: the main file, then drop-ins.
 * config_path == NULL: ROOT/etc/oompolicy.conf (or the vendor copy when /etc has
 * none), then /usr/lib, /run, /etc oompolicy.conf.d (the later overriding the
 * earlier by file name); /etc and /usr/lib stand for the configured directories
 * (paths.h: POLICY_FILE, VENDOR_POLICY_FILE, POLICY_DROPIN_DIR, ...).
 * config_path given: that file, then config_path.d/ only. */
int conf_files_policy(const char *root, const char *config_path, char ***ret_paths, DiagList *diag);

/* Reads a policy file after checking it may be trusted: a regular file owned by
 * root, not writable by group or others. Problems are reported to diag as
 * "PATH: ..." and return -EPERM/-errno. */
int conf_file_read_trusted(const char *path, char **ret_content, size_t *ret_len, DiagList *diag);

/* Whether path names /dev/null (directly or through a symlink): a masked drop-in. */
int conf_file_is_masked(const char *path);
