/* SPDX-License-Identifier: MIT */
#include "shared/parse-util.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "shared/macro.h"

int parse_int64_range(const char *s, int64_t min, int64_t max, int64_t *ret) {
        const char *p = s;
        char *end = NULL;
        long long v;

        assert(s);
        while (isspace((unsigned char) *p))
                p++;
        if (*p == '\0')
                return -ENODATA;
        /* strtoll() would accept leading blanks, "0x", and silently stop at garbage. */
        if (!isdigit((unsigned char) *p) && !((*p == '-' || *p == '+') && isdigit((unsigned char) p[1])))
                return -EINVAL;

        errno = 0;
        v = strtoll(p, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0 || end == p)
                return -EINVAL;
        while (isspace((unsigned char) *end))
                end++;
        if (*end != '\0')
                return -EINVAL;
        if (v < min || v > max)
                return -ERANGE;

        if (ret)
                *ret = v;
        return 0;
}

int parse_int_range(const char *s, int min, int max, int *ret) {
        int64_t v;
        int r;

        assert(s);
        r = parse_int64_range(s, min, max, &v);
        if (r < 0)
                return r;
        if (ret)
                *ret = (int) v;
        return 0;
}

int parse_boolean(const char *s) {
        static const char *const truthy[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const falsy[] = { "0", "no", "n", "false", "f", "off" };

        assert(s);
        for (size_t i = 0; i < ELEMENTSOF(truthy); i++)
                if (strcasecmp(s, truthy[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(falsy); i++)
                if (strcasecmp(s, falsy[i]) == 0)
                        return 0;
        return -EINVAL;
}

static const char *const log_level_names[] = {
        [LOG_EMERG] = "emerg",   [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit",
        [LOG_ERR] = "err",       [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
        [LOG_INFO] = "info",     [LOG_DEBUG] = "debug",
};

int parse_log_level(const char *s) {
        int level;

        assert(s);
        for (size_t i = 0; i < ELEMENTSOF(log_level_names); i++)
                if (strcasecmp(s, log_level_names[i]) == 0)
                        return (int) i;
        if (strcasecmp(s, "error") == 0)
                return LOG_ERR;
        if (strcasecmp(s, "warn") == 0)
                return LOG_WARNING;
        if (parse_int_range(s, LOG_EMERG, LOG_DEBUG, &level) == 0)
                return level;
        return -EINVAL;
}

const char *log_level_to_string(int level) {
        if (level < 0 || (size_t) level >= ELEMENTSOF(log_level_names))
                return NULL;
        return log_level_names[level];
}
