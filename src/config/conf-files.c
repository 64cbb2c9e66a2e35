/* SPDX-License-Identifier: MIT */
#include "config/conf-files.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "config/conf-place.h"
#include "shared/hashmap.h"
#include "shared/macro.h"
#include "shared/paths.h"
#include "shared/strv.h"

#define POLICY_FILE_MAX (4u * 1024u * 1024u)

static char *path_join_root(const char *root, const char *path) {
        char *p = NULL;

        if (!root || strcmp(root, "/") == 0 || !*root)
                return strdup(path);
        if (asprintf(&p, "%s%s%s", root, path[0] == '/' ? "" : "/", path) < 0)
                return NULL;
        return p;
}

static bool has_conf_suffix(const char *name) {
        size_t n = strlen(name);

        return n > 5 && strcmp(name + n - 5, ".conf") == 0 && name[0] != '.';
}

int conf_file_is_masked(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        /* /dev/null is character device 1:3. */
        return S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int collect_name(const char *key, void *value, void *userdata) {
        return strv_extend(userdata, key);
}

int conf_files_list_dropins(const char *root, const char *const *dirs, char ***ret_paths) {
        _cleanup_hashmap_ Hashmap *by_name = NULL;
        _cleanup_strv_free_ char **names = NULL, **paths = NULL;
        int r;

        r = hashmap_new(free, &by_name);
        if (r < 0)
                return r;

        for (const char *const *d = dirs; *d; d++) {
                _cleanup_free_ char *dir = path_join_root(root, *d);
                _cleanup_closedir_ DIR *dh = NULL;
                struct dirent *de;

                if (!dir)
                        return -ENOMEM;
                dh = opendir(dir);
                if (!dh) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue;
                        return negative_errno();
                }
                while ((errno = 0, de = readdir(dh))) {
                        char *path = NULL;

                        if (!has_conf_suffix(de->d_name) || hashmap_get(by_name, de->d_name))
                                continue;
                        if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                                return -ENOMEM;
                        r = hashmap_put(by_name, de->d_name, path);
                        if (r < 0) {
                                free(path);
                                return r;
                        }
                }
                if (errno != 0)
                        return negative_errno();
        }

        names = calloc(1, sizeof(char *));
        paths = calloc(1, sizeof(char *));
        if (!names || !paths)
                return -ENOMEM;
        r = hashmap_foreach(by_name, collect_name, &names);
        if (r < 0)
                return r;
        qsort(names, strv_length(names), sizeof(char *), compare_strings);
        for (char **n = names; *n; n++) {
                const char *path = hashmap_get(by_name, *n);

                r = conf_file_is_masked(path);
                if (r < 0 && r != -ELOOP)
                        return r;
                if (r > 0)
                        continue;
                r = strv_extend(&paths, path);
                if (r < 0)
                        return r;
        }
        *ret_paths = TAKE_PTR(paths);
        return 0;
}

/* check --as: a drop-in of the same name in a stronger directory (or a mask
 * there) means the daemon would never read the file installed at the place. */
static int check_not_shadowed(const char *root, char **dirs, const ConfPlace *place, const char *target,
                              DiagList *diag) {
        for (size_t i = 0; i < place->dir_index; i++) {
                _cleanup_free_ char *rel = NULL, *path = NULL;
                struct stat st;

                if (asprintf(&rel, "%s/%s", dirs[i], place->name) < 0)
                        return -ENOMEM;
                path = path_join_root(root, rel);
                if (!path)
                        return -ENOMEM;
                if (lstat(path, &st) < 0) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue;
                        return negative_errno();
                }
                return diag_error(diag, target, 0, "would never be read: %s has the same name in a stronger "
                                  "directory and takes its place%s", path,
                                  conf_file_is_masked(path) > 0 ? " (it masks the name)" : "") ?: -EINVAL;
        }
        return 0;
}

int conf_files_policy_as(const char *root, const char *config_path, const char *installed_path,
                         char ***ret_paths, size_t *ret_index, DiagList *diag) {
        /* Listed strongest first: /etc overrides /run overrides /usr/lib (as configured:
         * SYSCONFDIR/oompolicy.conf.d, /run/oompolicy.conf.d, PREFIX/lib/oompolicy.conf.d). */
        static const char *const default_dirs[] = {
                POLICY_DROPIN_DIR, POLICY_RUNTIME_DROPIN_DIR, VENDOR_DROPIN_DIR, NULL,
        };
        _cleanup_strv_free_ char **paths = calloc(1, sizeof(char *)), **dropins = NULL;
        _cleanup_free_ char *main_file = NULL, *dropin_dir = NULL;
        ConfPlace place = {};
        size_t index = SIZE_MAX;
        int r;

        assert(ret_paths && diag);
        if (!paths)
                return -ENOMEM;
        if (installed_path) {
                r = conf_place_classify(config_path, installed_path, &place);
                if (r < 0)
                        return r;
        }

        if (installed_path && place.kind == CONF_PLACE_MAIN) {
                /* The file takes the main file's place, whether or not one is there now. */
                main_file = config_path ? strdup(config_path) : path_join_root(root, installed_path);
                if (!main_file)
                        return -ENOMEM;
        }
        if (config_path) {
                if (!main_file)
                        main_file = strdup(config_path);
                if (asprintf(&dropin_dir, "%s.d", config_path) < 0 || !main_file)
                        return -ENOMEM;
                r = conf_files_list_dropins(NULL, (const char *const[]) { dropin_dir, NULL }, &dropins);
        } else {
                if (!main_file) {
                        main_file = path_join_root(root, POLICY_FILE);
                        if (!main_file)
                                return -ENOMEM;
                        if (access(main_file, F_OK) < 0 && errno == ENOENT) {
                                free(main_file);
                                main_file = path_join_root(root, VENDOR_POLICY_FILE);
                                if (!main_file)
                                        return -ENOMEM;
                                if (access(main_file, F_OK) < 0 && errno == ENOENT) {
                                        r = diag_error(diag, NULL, 0,
                                                       "no policy: neither " POLICY_FILE " nor the vendor copy "
                                                       VENDOR_POLICY_FILE " exists (use --config FILE)");
                                        return r < 0 ? r : -ENOENT;
                                }
                        }
                }
                r = conf_files_list_dropins(root, default_dirs, &dropins);
        }
        if (r < 0) {
                int q = diag_error(diag, dropin_dir, 0, "cannot list drop-in directory: %s", strerror(-r));
                return q < 0 ? q : r;
        }

        r = strv_consume(&paths, TAKE_PTR(main_file));
        if (r < 0)
                return r;
        for (char **d = dropins; *d; d++) {
                r = strv_extend(&paths, *d);
                if (r < 0)
                        return r;
        }

        if (installed_path && place.kind == CONF_PLACE_MAIN)
                index = 0;
        else if (installed_path) {
                _cleanup_strv_free_ char **dirs = NULL;
                _cleanup_free_ char *rel = NULL, *target = NULL;
                const char *dir_root = config_path ? NULL : root;

                r = conf_place_dropin_dirs(config_path, &dirs);
                if (r < 0)
                        return r;
                /* Named as the listing names the files, however installed_path was spelled. */
                if (asprintf(&rel, "%s/%s", dirs[place.dir_index], place.name) < 0)
                        return -ENOMEM;
                target = path_join_root(dir_root, rel);
                if (!target)
                        return -ENOMEM;
                r = check_not_shadowed(dir_root, dirs, &place, target, diag);
                if (r < 0)
                        return r;
                r = conf_place_put_dropin(&paths, target, &index);
                if (r < 0)
                        return r;
        }
        *ret_paths = TAKE_PTR(paths);
        if (ret_index)
                *ret_index = index;
        return 0;
}

int conf_files_policy(const char *root, const char *config_path, char ***ret_paths, DiagList *diag) {
        return conf_files_policy_as(root, config_path, NULL, ret_paths, NULL, diag);
}

static int read_policy_file(const char *path, const char *label, bool trusted, char **ret_content, size_t *ret_len,
                            DiagList *diag) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t len = 0;
        int r;

        /* Checks use fstat() on the opened file, so the file checked is the file read. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                r = negative_errno();
                if (r == -ELOOP)
                        return diag_error(diag, label, 0, "cannot open: too many levels of symbolic links (a symlink loop?)") ?: r;
                return diag_error(diag, label, 0, "cannot open: %s", strerror(-r)) ?: r;
        }
        if (fstat(fd, &st) < 0) {
                r = negative_errno();
                return diag_error(diag, label, 0, "cannot stat: %s", strerror(-r)) ?: r;
        }
        if (S_ISDIR(st.st_mode))
                return diag_error(diag, label, 0, "is a directory, not a policy file") ?: -EISDIR;
        if (!S_ISREG(st.st_mode))
                return diag_error(diag, label, 0, "is not a regular file") ?: -EPERM;
        /* A policy decides who survives an OOM; only root may write it. */
        if (trusted && st.st_uid != 0)
                return diag_error(diag, label, 0, "refusing policy file owned by uid %u, not root", (unsigned) st.st_uid) ?: -EPERM;
        if (trusted && (st.st_mode & (S_IWGRP | S_IWOTH)))
                return diag_error(diag, label, 0, "refusing policy file writable by %s (mode %04o); run chmod go-w",
                                  (st.st_mode & S_IWOTH) ? "others" : "group", (unsigned) (st.st_mode & 07777)) ?: -EPERM;
        if (st.st_size > (off_t) POLICY_FILE_MAX)
                return diag_error(diag, label, 0, "is larger than %u bytes", POLICY_FILE_MAX) ?: -EFBIG;

        buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        while (len < (size_t) st.st_size) {
                ssize_t n = read(fd, buf + len, (size_t) st.st_size - len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = negative_errno();
                        return diag_error(diag, label, 0, "read failed: %s", strerror(-r)) ?: r;
                }
                if (n == 0)
                        break;   /* truncated while we read: use what is there */
                len += (size_t) n;
        }
        buf[len] = '\0';
        *ret_content = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

int conf_file_read_trusted(const char *path, char **ret_content, size_t *ret_len, DiagList *diag) {
        assert(path && ret_content && ret_len && diag);
        return read_policy_file(path, path, true, ret_content, ret_len, diag);
}

int conf_file_read_candidate(const char *path, const char *label, char **ret_content, size_t *ret_len,
                             DiagList *diag) {
        assert(path && label && ret_content && ret_len && diag);
        return read_policy_file(path, label, false, ret_content, ret_len, diag);
}
