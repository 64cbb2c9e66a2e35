/* SPDX-License-Identifier: MIT */
#include "report/oom-parse-util.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/string-util.h"

const char *oom_parse_number(const char *p, int64_t *ret) {
        const char *start;
        uint64_t v = 0;
        bool neg = false;

        assert(p);
        assert(ret);

        if (*p == '-') {
                neg = true;
                p++;
        }
        start = p;
        while (ascii_isdigit(*p)) {
                unsigned d = (unsigned) (*p - '0');

                if (v > (UINT64_MAX - d) / 10)
                        return NULL;
                v = v * 10 + d;
                p++;
        }
        if (p == start || v > INT64_MAX)
                return NULL;
        *ret = neg ? -(int64_t) v : (int64_t) v;
        return p;
}

const char *oom_parse_padded_number(const char *p, int64_t *ret) {
        assert(p);
        return oom_parse_number(skip_blanks(p), ret);
}

bool oom_parse_number_span(const char *p, const char *end, bool kb, int64_t *ret) {
        int64_t v;
        const char *e;

        assert(p);
        assert(end);
        assert(ret);

        e = oom_parse_number(p, &v);
        if (!e || e > end)
                return false;
        if (kb && end - e == 2 && strncmp(e, "kB", 2) == 0)
                e += 2;
        if (e != end)
                return false;
        *ret = v;
        return true;
}

int64_t oom_uid_from_signed(int64_t v) {
        return v < 0 && v >= INT32_MIN ? v + (INT64_C(1) << 32) : v;
}

int oom_strdup_span(char **dst, const char *s, size_t n) {
        char *c;

        assert(dst);
        assert(s);

        c = strndup(s, n);
        if (!c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}
