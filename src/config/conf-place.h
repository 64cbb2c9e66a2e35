/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Where a file would sit in the policy if it were installed at a given path
 * (oompolicyctl check --as), and putting it into a list of policy files there.
 * Pure: paths are compared as strings, nothing is looked up on disk. */

typedef enum ConfPlaceKind {
        CONF_PLACE_MAIN,          /* the main file (the configured one or its vendor copy) */
        CONF_PLACE_DROPIN,        /* NAME.conf in one of the drop-in directories */
} ConfPlaceKind;

typedef struct ConfPlace {
        ConfPlaceKind kind;
        size_t dir_index;         /* DROPIN: the directory in conf_place_dropin_dirs(), strongest first */
        const char *name;         /* DROPIN: the file name (points into installed_path) */
} ConfPlace;

/* The drop-in directories the policy is read from, strongest first, as the
 * daemon names them (without a root): config_path NULL: the configured /etc,
 * /run and vendor directories; else config_path.d only. */
int conf_place_dropin_dirs(const char *config_path, char ***ret);

/* Classifies installed_path (spelled with redundant slashes or "." components
 * is fine; ".." is not resolved). -EXDEV when it is neither the main file nor
 * NAME.conf directly in a drop-in directory. */
int conf_place_classify(const char *config_path, const char *installed_path, ConfPlace *ret);

/* "The main file X (or Y), or NAME.conf in D1, D2 or D3": the places that are
 * valid, for the usage error. Caller frees. */
char *conf_place_describe_valid(const char *config_path);

/* paths: the main file, then drop-ins sorted by file name (conf_files_policy()).
 * Puts path among the drop-ins: in place of the one with the same file name, or
 * where its name sorts. Returns its index in *ret_index. */
int conf_place_put_dropin(char ***paths, const char *path, size_t *ret_index);
