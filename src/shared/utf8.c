/* SPDX-License-Identifier: MIT */
#include "shared/utf8.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char replacement[] = "\xef\xbf\xbd";   /* U+FFFD */

/* Length of the well-formed sequence at s, or 0 if the byte at s does not start one. */
static size_t sequence_length(const unsigned char *s) {
        unsigned char c = s[0];
        size_t len;
        uint32_t cp, min;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                len = 2;
                cp = c & 0x1f;
                min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
                len = 3;
                cp = c & 0x0f;
                min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
                len = 4;
                cp = c & 0x07;
                min = 0x10000;
        } else
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;   /* also stops at the terminating NUL */
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

bool utf8_is_valid(const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        assert(s);
        while (*p) {
                size_t n = sequence_length(p);

                if (n == 0)
                        return false;
                p += n;
        }
        return true;
}

char *utf8_make_valid(const char *s) {
        const unsigned char *p = (const unsigned char *) s;
        char *out, *o;

        assert(s);
        /* Each bad byte grows to at most three. */
        out = malloc(strlen(s) * 3 + 1);
        if (!out)
                return NULL;
        for (o = out; *p; ) {
                size_t n = sequence_length(p);

                if (n == 0) {
                        memcpy(o, replacement, sizeof(replacement) - 1);
                        o += sizeof(replacement) - 1;
                        p++;
                        continue;
                }
                memcpy(o, p, n);
                o += n;
                p += n;
        }
        *o = '\0';
        return out;
}
