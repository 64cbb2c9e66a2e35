/* SPDX-License-Identifier: MIT */
#include "config/conf-place.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/macro.h"
#include "shared/paths.h"
#include "shared/string-util.h"
#include "shared/strv.h"

/* "//etc/./oompolicy.conf.d/" -> "/etc/oompolicy.conf.d": what a person types
 * for the same directory, so that comparing strings is enough. */
static char *path_simplify(const char *p) {
        char *s = malloc(strlen(p) + 2);
        size_t o = 0;

        if (!s)
                return NULL;
        if (*p == '/')
                s[o++] = '/';
        while (*p) {
                size_t n;

                while (*p == '/')
                        p++;
                n = strcspn(p, "/");
                if (n == 0)
                        break;
                if (!(n == 1 && p[0] == '.')) {
                        if (o > 0 && s[o - 1] != '/')
                                s[o++] = '/';
                        memcpy(s + o, p, n);
                        o += n;
                }
                p += n;
        }
        if (o == 0)
                s[o++] = '.';
        s[o] = '\0';
        return s;
}

static const char *file_name(const char *path) {
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

int conf_place_dropin_dirs(const char *config_path, char ***ret) {
        _cleanup_strv_free_ char **dirs = calloc(1, sizeof(char *));
        int r;

        assert(ret);
        if (!dirs)
                return -ENOMEM;
        if (config_path) {
                char *d = NULL;

                if (asprintf(&d, "%s.d", config_path) < 0)
                        return -ENOMEM;
                r = strv_consume(&dirs, d);
        } else {
                r = strv_extend(&dirs, POLICY_DROPIN_DIR);
                if (r >= 0)
                        r = strv_extend(&dirs, POLICY_RUNTIME_DROPIN_DIR);
                if (r >= 0)
                        r = strv_extend(&dirs, VENDOR_DROPIN_DIR);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(dirs);
        return 0;
}

static int same_path(const char *a, const char *b) {
        _cleanup_free_ char *sa = path_simplify(a), *sb = path_simplify(b);

        if (!sa || !sb)
                return -ENOMEM;
        return streq(sa, sb);
}

int conf_place_classify(const char *config_path, const char *installed_path, ConfPlace *ret) {
        _cleanup_strv_free_ char **dirs = NULL;
        _cleanup_free_ char *dir = NULL;
        const char *name;
        int r;

        assert(installed_path && ret);
        name = file_name(installed_path);
        if (config_path)
                r = same_path(config_path, installed_path);
        else {
                r = same_path(POLICY_FILE, installed_path);
                if (r == 0)
                        r = same_path(VENDOR_POLICY_FILE, installed_path);
        }
        if (r < 0)
                return r;
        if (r > 0) {
                *ret = (ConfPlace) { .kind = CONF_PLACE_MAIN };
                return 0;
        }

        /* The same test as the listing: a name the daemon would not read is no place. */
        if (name == installed_path || !endswith(name, ".conf") || strlen(name) <= 5 || name[0] == '.')
                return -EXDEV;
        dir = strndup(installed_path, (size_t) (name - installed_path));
        if (!dir)
                return -ENOMEM;
        r = conf_place_dropin_dirs(config_path, &dirs);
        if (r < 0)
                return r;
        for (size_t i = 0; dirs[i]; i++) {
                r = same_path(dirs[i], dir);
                if (r < 0)
                        return r;
                if (r > 0) {
                        *ret = (ConfPlace) { .kind = CONF_PLACE_DROPIN, .dir_index = i, .name = name };
                        return 0;
                }
        }
        return -EXDEV;
}

char *conf_place_describe_valid(const char *config_path) {
        _cleanup_strv_free_ char **dirs = NULL;
        _cleanup_free_ char *joined = NULL;
        char *s = NULL;

        if (conf_place_dropin_dirs(config_path, &dirs) < 0)
                return NULL;
        joined = strv_join(dirs, ", ");
        if (!joined)
                return NULL;
        if (asprintf(&s, "the main file %s%s, or NAME.conf in %s", config_path ?: POLICY_FILE,
                     config_path ? "" : " (or its vendor copy " VENDOR_POLICY_FILE ")", joined) < 0)
                return NULL;
        return s;
}

int conf_place_put_dropin(char ***paths, const char *path, size_t *ret_index) {
        const char *name;
        size_t n, i;
        char *copy, **grown;

        assert(paths && *paths && **paths && path && ret_index);
        name = file_name(path);
        n = strv_length(*paths);
        /* Index 0 is the main file; the drop-ins after it are sorted by name. */
        for (i = 1; i < n; i++) {
                int c = strcmp(file_name((*paths)[i]), name);

                if (c == 0) {
                        copy = strdup(path);
                        if (!copy)
                                return -ENOMEM;
                        free((*paths)[i]);
                        (*paths)[i] = copy;
                        *ret_index = i;
                        return 0;
                }
                if (c > 0)
                        break;
        }
        copy = strdup(path);
        grown = copy ? realloc(*paths, (n + 2) * sizeof(char *)) : NULL;
        if (!grown) {
                free(copy);
                return -ENOMEM;
        }
        memmove(grown + i + 1, grown + i, (n - i + 1) * sizeof(char *));
        grown[i] = copy;
        *paths = grown;
        *ret_index = i;
        return 0;
}
