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
/* The same list, with installed_path (as the daemon names it, below root; see
 * conf_place_classify()) in it: in place of the main file, or of the drop-in of
 * that name, or added where its name sorts. *ret_index: its entry (SIZE_MAX
 * without installed_path). -EXDEV, with nothing in diag, when installed_path
 * is no place of this policy; -EINVAL (in diag) when a file of the same name in
 * a stronger directory would hide it. */
int conf_files_policy_as(const char *root, const char *config_path, const char *installed_path,
                         char ***ret_paths, size_t *ret_index, DiagList *diag);

/* Reads a policy file after checking it may be trusted: a regular file owned by
 * root, not writable by group or others. Problems are reported to diag as
 * "PATH: ..." and return -EPERM/-errno. */
int conf_file_read_trusted(const char *path, char **ret_content, size_t *ret_len, DiagList *diag);
/* Reads a file that is to be installed (check --as): the same checks except
 * owner and mode, which are the installed copy's business, not the temporary
 * one's. Problems are reported as "LABEL: ...". */
int conf_file_read_candidate(const char *path, const char *label, char **ret_content, size_t *ret_len,
                             DiagList *diag);

/* Whether path names /dev/null (directly or through a symlink): a masked drop-in. */
int conf_file_is_masked(const char *path);
