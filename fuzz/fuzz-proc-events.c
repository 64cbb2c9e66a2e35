/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/proc-events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Beyond "no crash": the documented contract must hold for any input. */
static void check(const uint8_t *data, size_t size, size_t max_events) {
        ProcEvent events[8];
        size_t n = SIZE_MAX;
        int r;

        memset(events, 0xaa, sizeof(events));
        r = proc_events_decode(data, size, events, max_events, &n);
        if (n > max_events)
                abort();
        if (r != 0 && r != -EBADMSG && r != -ENOBUFS && r != -EPROTO && r != -ENOSPC)
                abort();
        for (size_t i = 0; i < n; i++) {
                if (!proc_event_kind_to_string(events[i].kind))
                        abort();
                if (!memchr(events[i].comm, '\0', sizeof(events[i].comm)))
                        abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        check(data, size, 8);
        /* Also the "array full" path. */
        check(data, size, 1);
        return 0;
}
