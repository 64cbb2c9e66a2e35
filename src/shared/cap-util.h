/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/capability.h>

#include "shared/macro.h"

static inline void cap_freep(cap_t *caps) {
        if (*caps)
                (void) cap_free(*caps);
}
#define _cleanup_cap_ _cleanup_(cap_freep)
