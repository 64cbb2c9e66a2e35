/* SPDX-License-Identifier: MIT */
#include "inspect/meminfo.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "shared/macro.h"
#include "shared/string-util.h"

static const char *skip_blanks_before(const char *p, const char *end) {
        while (p < end && ascii_isblank(*p))
                p++;
        return p;
}

/* Base-10 digits in [p, end) into *ret; strtoull() is avoided because it
 * accepts signs and leading blanks and would read past the line end. */
static int parse_digits(const char *p, const char *end, uint64_t *ret) {
        uint64_t v = 0;

        if (p >= end)
                return -EBADMSG;
        for (; p < end; p++) {
                unsigned d;

                if (!ascii_isdigit(*p))
                        return -EBADMSG;
                d = (unsigned) (*p - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *ret = v;
        return 0;
}

/* The value part of "Key:   1234 kB": blanks, digits, optionally blanks and
 * "kB", then nothing but blanks up to the line end. */
static int parse_kb_value(const char *p, const char *eol, uint64_t *ret) {
        const char *digits, *q;

        digits = p = skip_blanks_before(p, eol);
        while (p < eol && ascii_isdigit(*p))
                p++;
        q = skip_blanks_before(p, eol);
        if (q + 2 <= eol && memcmp(q, "kB", 2) == 0)
                q = skip_blanks_before(q + 2, eol);
        if (q != eol)
                return -EBADMSG;

        return parse_digits(digits, p, ret);
}

typedef struct KbField {
        const char *key;
        uint64_t *value;
        bool seen;
} KbField;

/* Fills the fields whose keys occur in buf. Unknown lines are not validated:
 * both files grow new fields over kernel releases, some without a kB unit. */
static int parse_kb_fields(const char *buf, KbField *fields, size_t n_fields) {
        const char *line = buf;

        while (*line != '\0') {
                const char *eol = strchrnul(line, '\n');
                const char *colon = memchr(line, ':', (size_t) (eol - line));

                if (colon) {
                        size_t klen = (size_t) (colon - line);

                        for (size_t i = 0; i < n_fields; i++) {
                                int r;

                                if (strlen(fields[i].key) != klen || memcmp(fields[i].key, line, klen) != 0)
                                        continue;
                                if (fields[i].seen)
                                        return -EBADMSG;
                                r = parse_kb_value(colon + 1, eol, fields[i].value);
                                if (r < 0)
                                        return r;
                                fields[i].seen = true;
                                break;
                        }
                }

                line = *eol == '\n' ? eol + 1 : eol;
        }

        return 0;
}

int meminfo_parse(const char *buf, MemInfo *ret) {
        MemInfo m = {};
        KbField fields[] = {
                { "MemTotal",     &m.mem_total_kb,     false },
                { "MemFree",      &m.mem_free_kb,      false },
                { "SwapTotal",    &m.swap_total_kb,    false },
                { "SwapFree",     &m.swap_free_kb,     false },
                { "MemAvailable", &m.mem_available_kb, false },
        };
        int r;

        if (!buf || !ret)
                return -EINVAL;

        r = parse_kb_fields(buf, fields, ELEMENTSOF(fields));
        if (r < 0)
                return r;
        /* All but the last (MemAvailable) are required. */
        for (size_t i = 0; i < ELEMENTSOF(fields) - 1; i++)
                if (!fields[i].seen)
                        return -EBADMSG;
        m.has_mem_available = fields[ELEMENTSOF(fields) - 1].seen;

        *ret = m;
        return 0;
}

int parse_status_memory(const char *buf, ProcMemory *ret) {
        ProcMemory m = {};
        KbField fields[] = {
                { "VmRSS",    &m.vm_rss_kb,    false },
                { "VmSwap",   &m.vm_swap_kb,   false },
                { "VmPTE",    &m.vm_pte_kb,    false },
                { "RssAnon",  &m.rss_anon_kb,  false },
                { "RssFile",  &m.rss_file_kb,  false },
                { "RssShmem", &m.rss_shmem_kb, false },
        };
        size_t n_core = 0, n_split = 0;
        int r;

        if (!buf || !ret)
                return -EINVAL;

        r = parse_kb_fields(buf, fields, ELEMENTSOF(fields));
        if (r < 0)
                return r;

        for (size_t i = 0; i < 3; i++)
                n_core += fields[i].seen;
        for (size_t i = 3; i < ELEMENTSOF(fields); i++)
                n_split += fields[i].seen;

        if (n_core == 0 && n_split == 0)
                return -ENODATA;
        /* A partial set means a truncated read or not a status file at all;
         * guessing the missing part would silently skew the score. */
        if (n_core != 3 || (n_split != 0 && n_split != 3))
                return -EBADMSG;
        m.has_rss_split = n_split == 3;

        *ret = m;
        return 0;
}

int parse_cgroup_limit(const char *buf, uint64_t *ret) {
        size_t len;

        if (!buf || !ret)
                return -EINVAL;

        len = strlen(buf);
        if (len > 0 && buf[len - 1] == '\n')
                len--;
        if (len == 0)
                return -EBADMSG;

        if (len == 3 && memcmp(buf, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return 0;
        }

        return parse_digits(buf, buf + len, ret);
}
