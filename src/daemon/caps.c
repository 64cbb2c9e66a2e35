/* SPDX-License-Identifier: MIT */
#include "daemon/caps.h"

#include <assert.h>
#include <errno.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "shared/cap-util.h"
#include "shared/macro.h"

/* The whole list the daemon keeps, and why. */
static const cap_value_t kept[] = {
        CAP_SYS_RESOURCE,   /* the kernel refuses lowering oom_score_adj without it */
        CAP_DAC_OVERRIDE,   /* /proc/PID/oom_score_adj belongs to the process's owner */
        CAP_SYS_PTRACE,     /* /proc/PID/exe of another user needs ptrace read access */
};

static bool has_permitted(cap_t caps, cap_value_t v) {
        cap_flag_value_t flag = CAP_CLEAR;

        return cap_get_flag(caps, v, CAP_PERMITTED, &flag) == 0 && flag == CAP_SET;
}

int caps_drop_to_minimum(CapsState *ret) {
        _cleanup_cap_ cap_t current = NULL, wanted = NULL;
        cap_value_t keep[ELEMENTSOF(kept)];
        size_t n_keep = 0;

        assert(ret);
        current = cap_get_proc();
        wanted = cap_init();
        if (!current || !wanted)
                return negative_errno();
        for (size_t i = 0; i < ELEMENTSOF(kept); i++)
                if (has_permitted(current, kept[i]))
                        keep[n_keep++] = kept[i];

        /* The bounding set can only shrink while we still hold CAP_SETPCAP. */
        if (CAP_IS_SUPPORTED(CAP_SETPCAP) && has_permitted(current, CAP_SETPCAP))
                for (cap_value_t v = 0; v <= CAP_LAST_CAP; v++) {
                        bool wanted_cap = false;

                        for (size_t i = 0; i < n_keep; i++)
                                wanted_cap = wanted_cap || keep[i] == v;
                        if (!wanted_cap && CAP_IS_SUPPORTED(v) && cap_drop_bound(v) < 0 && errno != EINVAL)
                                return negative_errno();
                }
        (void) prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

        if (n_keep > 0 &&
            (cap_set_flag(wanted, CAP_PERMITTED, (int) n_keep, keep, CAP_SET) < 0 ||
             cap_set_flag(wanted, CAP_EFFECTIVE, (int) n_keep, keep, CAP_SET) < 0))
                return negative_errno();
        if (cap_set_proc(wanted) < 0)
                return negative_errno();
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return negative_errno();

        *ret = (CapsState) {};
        for (size_t i = 0; i < n_keep; i++) {
                ret->sys_resource = ret->sys_resource || keep[i] == CAP_SYS_RESOURCE;
                ret->dac_override = ret->dac_override || keep[i] == CAP_DAC_OVERRIDE;
                ret->sys_ptrace = ret->sys_ptrace || keep[i] == CAP_SYS_PTRACE;
        }
        return 0;
}
