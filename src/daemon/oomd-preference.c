/* SPDX-License-Identifier: MIT */
#include "daemon/oomd-preference.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "apply/oomd-pref.h"
#include "inspect/unit-bus.h"
#include "inspect/unit-pref.h"
#include "shared/string-util.h"
#include "shared/strv.h"
#include "shared/time-util.h"

/* How often a missing bus is asked for again (quietly): at boot the daemon
 * starts before D-Bus. */
#define BUS_RETRY_USEC (30ULL * 1000000ULL)

typedef struct UnitPrefEntry {
        char *unit;
        char *previous;            /* NULL: could not be read */
        char *rule;
        char *cgroup;              /* where its user.oomd_* marks are */
        OomdPreference set;
        bool mark_failure_logged;  /* writing the marks failed: said once */
        bool skipped;              /* user-owned or refused: not tried again before a reload */
} UnitPrefEntry;

struct UnitPrefs {
        Hashmap *units;            /* unit -> UnitPrefEntry */
        sd_bus *bus;
        uint64_t bus_tried_usec;   /* CLOCK_MONOTONIC of the last failed attempt */
        bool bus_failure_logged;
        sd_event_source *retry;    /* while there is no bus: ask again, then rescan */
};

static void entry_free(void *p) {
        UnitPrefEntry *e = p;

        if (!e)
                return;
        free(e->unit);
        free(e->previous);
        free(e->rule);
        free(e->cgroup);
        free(e);
}

int unit_prefs_new(UnitPrefs **ret) {
        UnitPrefs *u;
        int r;

        assert(ret);
        u = calloc(1, sizeof(*u));
        if (!u)
                return -ENOMEM;
        r = hashmap_new(entry_free, &u->units);
        if (r < 0) {
                free(u);
                return r;
        }
        *ret = u;
        return 0;
}

UnitPrefs *unit_prefs_free(UnitPrefs *u) {
        if (!u)
                return NULL;
        hashmap_free(u->units);
        sd_event_source_disable_unref(u->retry);
        sd_bus_flush_close_unref(u->bus);
        free(u);
        return NULL;
}

static UnitPrefMemory memory_of(const UnitPrefEntry *e) {
        return (UnitPrefMemory) { .unit = e->unit, .previous = e->previous, .set = e->set, .rule = e->rule,
                                  .skipped = e->skipped };
}

/* At boot the daemon starts before D-Bus, and the processes it matched then may
 * send no event for a long time: once the bus is there, a rescan reaches them. */
static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        UnitPrefs *u = m->unit_prefs;

        if (!u->bus && unit_bus_open_system(&u->bus) < 0) {
                u->bus = NULL;
                if (sd_event_source_set_time(s, usec + BUS_RETRY_USEC) < 0 ||
                    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0)
                        log_msg(&m->log, LOG_WARNING, "Cannot arm the retry for the system bus; a rescan will try again.");
                return 0;
        }
        log_msg(&m->log, LOG_INFO, "The system bus is there now: setting ManagedOOMPreference= of units.");
        (void) manager_rescan(m);
        return 0;
}

static void arm_retry(Manager *m) {
        UnitPrefs *u = m->unit_prefs;
        int enabled = SD_EVENT_OFF;
        uint64_t now;

        if (!m->event || sd_event_now(m->event, CLOCK_MONOTONIC, &now) < 0)
                return;
        if (!u->retry) {
                if (sd_event_add_time(m->event, &u->retry, CLOCK_MONOTONIC, now + BUS_RETRY_USEC, 0, on_retry, m) < 0)
                        u->retry = NULL;
                return;
        }
        if (sd_event_source_get_enabled(u->retry, &enabled) >= 0 && enabled != SD_EVENT_OFF)
                return;
        if (sd_event_source_set_time(u->retry, now + BUS_RETRY_USEC) >= 0)
                (void) sd_event_source_set_enabled(u->retry, SD_EVENT_ONESHOT);
}

static sd_bus *get_bus(Manager *m, const char *unit, const char *rule) {
        UnitPrefs *u = m->unit_prefs;
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        int r;

        if (u->bus)
                return u->bus;
        if (u->bus_tried_usec > 0 && now - u->bus_tried_usec < BUS_RETRY_USEC)
                return NULL;
        r = unit_bus_open_system(&u->bus);
        if (r >= 0)
                return u->bus;
        u->bus = NULL;
        u->bus_tried_usec = now;
        arm_retry(m);
        if (!u->bus_failure_logged) {
                u->bus_failure_logged = true;
                log_msg_errno(&m->log, LOG_WARNING, r,
                              "Cannot set ManagedOOMPreference= of %s (rule '%s'): no system bus (%m). Rules with "
                              "oomd_preference do nothing until systemd can be asked; asking again every 30 s.",
                              unit, rule);
                manager_remember_error(m, "oomd_preference: no system bus: %s", strerror(-r));
        }
        return NULL;
}

static void forget_bus_if_gone(UnitPrefs *u, int error) {
        /* A bus that dropped the connection (D-Bus restarted) is opened again next time. */
        if (error == -ECONNRESET || error == -ENOTCONN || error == -EPIPE)
                u->bus = sd_bus_flush_close_unref(u->bus);
}

static int entry_new(const char *unit, UnitPrefEntry **ret) {
        UnitPrefEntry *e = calloc(1, sizeof(*e));

        if (!e)
                return -ENOMEM;
        e->unit = strdup(unit);
        if (!e->unit) {
                free(e);
                return -ENOMEM;
        }
        *ret = e;
        return 0;
}

/* systemd 252 writes the marks systemd-oomd reads only when it creates the
 * cgroup: after a runtime change they are written here, or the value waits for
 * the unit's next start. */
static void sync_marks(Manager *m, UnitPrefEntry *e, const char *value) {
        const char *attr = OOMD_XATTR_AVOID;
        int r;

        if (!e->cgroup)
                return;
        r = unit_cgroup_oomd_xattrs_sync(m->fs, e->cgroup, value, &attr);
        if (r == -ENOENT)
                return;   /* gone, or no unified hierarchy: nothing for oomd to read */
        if (r > 0)
                log_msg(&m->log, LOG_INFO, "%s: systemd did not mark the cgroup for ManagedOOMPreference=%s: "
                        "set its user.oomd_* attributes to match", e->unit, value);
        if (r >= 0 || e->mark_failure_logged)
                return;
        e->mark_failure_logged = true;
        log_msg_errno(&m->log, LOG_WARNING, r,
                      "%s: ManagedOOMPreference=%s is set but systemd did not mark the cgroup (%s) and writing it "
                      "failed: %m; it takes effect when the unit next starts",
                      e->unit, value, attr);
}

void oomd_preference_evaluate(Manager *m, int pid_fd, pid_t pid, const Rule *rule) {
        UnitPrefs *u = m->unit_prefs;
        _cleanup_free_ char *unit = NULL, *cgroup = NULL, *previous = NULL, *message = NULL;
        UnitPrefEntry *e;
        UnitPrefAction action;
        const char *value;
        UnitPrefMemory mem;
        uid_t owner = 0;
        sd_bus *bus;
        int r;

        assert(m);
        assert(rule);
        if (!u || rule->oomd_preference == OOMD_PREFERENCE_UNSET)
                return;
        value = oomd_preference_to_string(rule->oomd_preference);
        if (unit_of_process(pid_fd, &unit, &cgroup) < 0)
                return;   /* in no unit (or gone): nothing to set */
        /* A process right in a slice: the key is about its service or scope, not all of a slice. */
        if (!endswith(unit, ".service") && !endswith(unit, ".scope"))
                return;
        e = hashmap_get(u->units, unit);
        if (e) {
                mem = memory_of(e);
                /* The common case, a unit done already, costs no stat. */
                if (unit_pref_decide(&mem, rule->oomd_preference, true) == UNIT_PREF_NONE)
                        return;
        }
        r = unit_cgroup_owner(m->fs, cgroup, &owner);
        if (r < 0) {
                log_msg_errno(&m->log, LOG_DEBUG, r, "%s: cannot stat its cgroup %s: %m", unit, cgroup);
                return;
        }
        if (e)
                mem = memory_of(e);
        action = unit_pref_decide(e ? &mem : NULL, rule->oomd_preference, owner == 0);
        if (action == UNIT_PREF_NONE)
                return;
        if (!e) {
                r = entry_new(unit, &e);
                if (r < 0 || hashmap_put(u->units, unit, e) < 0) {
                        if (r >= 0)
                                entry_free(e);
                        return;
                }
        }
        free(e->rule);
        e->rule = strdup(rule->name);
        if (!e->cgroup)
                e->cgroup = strdup(cgroup);
        if (action == UNIT_PREF_SKIP_USER_OWNED) {
                e->skipped = true;
                log_structured(&m->log, LOG_NOTICE, &(LogFields) { .pid = pid, .rule = rule->name },
                               "%s: not setting ManagedOOMPreference=%s (rule %s): its cgroup %s is owned by uid %u, "
                               "and systemd-oomd ignores the preference of cgroups a user owns.",
                               unit, value, rule->name, cgroup, (unsigned) owner);
                return;
        }

        bus = get_bus(m, unit, rule->name);
        if (!bus) {
                /* Tried again at a later evaluation. */
                hashmap_remove(u->units, unit);
                return;
        }
        if (e->set == OOMD_PREFERENCE_UNSET && !e->previous) {
                r = unit_pref_read(bus, unit, &previous);
                if (r < 0)
                        log_msg_errno(&m->log, LOG_DEBUG, r, "%s: cannot read ManagedOOMPreference=: %m", unit);
                else
                        e->previous = TAKE_PTR(previous);
        }
        if (e->set == OOMD_PREFERENCE_UNSET && e->previous && strcmp(e->previous, value) == 0) {
                /* Already so (a drop-in of the admin's, say): nothing to set, nothing to give back. */
                e->set = rule->oomd_preference;
                log_msg(&m->log, LOG_DEBUG, "%s: ManagedOOMPreference=%s already (rule %s)", unit, value, rule->name);
                sync_marks(m, e, value);
                return;
        }
        r = unit_pref_write(bus, unit, value, &message);
        if (r < 0) {
                e->skipped = true;
                forget_bus_if_gone(u, r);
                log_structured_errno(&m->log, LOG_WARNING, r, &(LogFields) { .pid = pid, .rule = rule->name },
                                     "%s: cannot set ManagedOOMPreference=%s (rule %s): %s%s%m. Not tried again "
                                     "before a reload.",
                                     unit, value, rule->name, message ?: "", message ? ": " : "");
                manager_remember_error(m, "%s: cannot set ManagedOOMPreference=%s: %s", unit, value,
                                       message ?: strerror(-r));
                return;
        }
        e->set = rule->oomd_preference;
        e->skipped = false;
        log_structured(&m->log, LOG_INFO,
                       &(LogFields) { .message_id = MESSAGE_ID_APPLIED, .pid = pid, .rule = rule->name },
                       "%s: ManagedOOMPreference=%s (was %s), rule %s", unit, value, e->previous ?: "unknown",
                       rule->name);
        sync_marks(m, e, value);
}

static void restore_entry(Manager *m, UnitPrefEntry *e, const char *why) {
        _cleanup_free_ char *message = NULL;
        UnitPrefMemory mem = memory_of(e);
        sd_bus *bus;
        int r;

        if (!unit_pref_restorable(&mem))
                return;
        bus = get_bus(m, e->unit, strna(e->rule));
        if (!bus)
                return;
        r = unit_pref_write(bus, e->unit, e->previous, &message);
        if (r < 0) {
                forget_bus_if_gone(m->unit_prefs, r);
                log_msg_errno(&m->log, LOG_WARNING, r, "%s: cannot restore ManagedOOMPreference=%s: %s%s%m", e->unit,
                              e->previous, message ?: "", message ? ": " : "");
                return;
        }
        log_structured(&m->log, LOG_INFO, &(LogFields) { .message_id = MESSAGE_ID_APPLIED, .rule = e->rule },
                       "%s: ManagedOOMPreference=%s restored (was %s, rule %s; %s)", e->unit, e->previous,
                       oomd_preference_to_string(e->set), strna(e->rule), why);
        sync_marks(m, e, e->previous);
}

typedef struct ReloadCtx {
        Manager *m;
        char **drop;
} ReloadCtx;

static int reload_one(const char *key, void *value, void *userdata) {
        ReloadCtx *c = userdata;
        UnitPrefEntry *e = value;
        UnitPrefMemory mem = memory_of(e);

        if (e->skipped)
                /* Tried again under the new policy. */
                return strv_extend(&c->drop, key);
        if (!unit_pref_restore_after_reload(&mem, c->m->policy))
                return 0;
        restore_entry(c->m, e, "the rule no longer asks for it");
        return strv_extend(&c->drop, key);
}

void oomd_preference_after_reload(Manager *m) {
        ReloadCtx c = { .m = m };

        assert(m);
        if (!m->unit_prefs)
                return;
        if (hashmap_foreach(m->unit_prefs->units, reload_one, &c) < 0)
                log_msg(&m->log, LOG_ERR, "Out of memory.");
        for (char **k = c.drop; k && *k; k++)
                (void) hashmap_remove(m->unit_prefs->units, *k);
        strv_free(c.drop);
}

static int restore_one(const char *key, void *value, void *userdata) {
        restore_entry(userdata, value, "daemon stopping, restore_on_exit");
        return 0;
}

void oomd_preference_restore_all(Manager *m) {
        assert(m);
        if (m->unit_prefs)
                (void) hashmap_foreach(m->unit_prefs->units, restore_one, m);
}
