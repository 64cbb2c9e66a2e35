/* SPDX-License-Identifier: MIT */
#include "shared/strv.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void strv_free(char **l) {
        if (!l)
                return;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
}

size_t strv_length(char *const *l) {
        size_t n = 0;

        if (l)
                while (l[n])
                        n++;
        return n;
}

bool strv_contains(char *const *l, const char *s) {
        assert(s);
        if (l)
                for (; *l; l++)
                        if (strcmp(*l, s) == 0)
                                return true;
        return false;
}

int strv_consume(char ***l, char *s) {
        size_t n;
        char **grown;

        assert(l);
        n = strv_length(*l);
        if (!s)
                return -ENOMEM;
        grown = realloc(*l, (n + 2) * sizeof(char *));
        if (!grown) {
                free(s);
                return -ENOMEM;
        }
        grown[n] = s;
        grown[n + 1] = NULL;
        *l = grown;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        assert(l && s);
        return strv_consume(l, strdup(s));
}

int strv_split_blank(const char *s, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));
        const char *p = s;

        assert(s && ret);
        if (!l)
                return -ENOMEM;
        for (;;) {
                size_t n;
                int r;

                p += strspn(p, " \t\r\n");
                if (*p == '\0')
                        break;
                n = strcspn(p, " \t\r\n");
                r = strv_consume(&l, strndup(p, n));
                if (r < 0)
                        return r;
                p += n;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

char *strv_join(char *const *l, const char *sep) {
        size_t len = 1, seplen;
        char *out, *p;

        assert(sep);
        seplen = strlen(sep);
        for (char *const *i = l; i && *i; i++)
                len += strlen(*i) + seplen;
        out = malloc(len);
        if (!out)
                return NULL;
        p = out;
        for (char *const *i = l; i && *i; i++) {
                if (i != l)
                        p = stpcpy(p, sep);
                p = stpcpy(p, *i);
        }
        *p = '\0';
        return out;
}

char **strv_copy(char *const *l) {
        _cleanup_strv_free_ char **copy = calloc(strv_length(l) + 1, sizeof(char *));

        if (!copy)
                return NULL;
        for (size_t i = 0; l && l[i]; i++) {
                copy[i] = strdup(l[i]);
                if (!copy[i])
                        return NULL;
        }
        return TAKE_PTR(copy);
}
