/* SPDX-License-Identifier: MIT */
/* A stand-in for systemd's D-Bus API on a private bus, for the tests of
 * oomd_preference on a host without systemd: the units named on the command
 * line, each with OOMPolicy= and ManagedOOMPreference=; GetUnit, GetUnitByPID
 * (every PID is in the first unit) and SetUnitProperties, whose calls it prints
 * ("SET UNIT PROPERTY VALUE RUNTIME") on stdout. Stops on SIGTERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#define MAX_UNITS 8

typedef struct MockUnit {
        char *id;
        char *path;
        char preference[16];
} MockUnit;

static MockUnit units[MAX_UNITS];
static int n_units;

static MockUnit *unit_by_name(const char *name) {
        for (int i = 0; i < n_units; i++)
                if (strcmp(units[i].id, name) == 0)
                        return &units[i];
        return NULL;
}

static int get_unit(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        MockUnit *u;
        int r = sd_bus_message_read(m, "s", &name);

        if (r < 0)
                return r;
        u = unit_by_name(name);
        if (!u)
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.", name);
        return sd_bus_reply_method_return(m, "o", u->path);
}

static int get_unit_by_pid(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        uint32_t pid;
        int r = sd_bus_message_read(m, "u", &pid);

        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "o", units[0].path);
}

static int set_unit_properties(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name, *prop, *value;
        int runtime, r;
        MockUnit *u;

        r = sd_bus_message_read(m, "sb", &name, &runtime);
        if (r < 0)
                return r;
        u = unit_by_name(name);
        if (!u)
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit", "Unit %s not loaded.", name);
        r = sd_bus_message_enter_container(m, 'a', "(sv)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &prop);
                if (r < 0)
                        return r;
                r = sd_bus_message_read(m, "v", "s", &value);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
                printf("SET %s %s %s %s\n", name, prop, value, runtime ? "runtime" : "persistent");
                fflush(stdout);
                if (strcmp(prop, "ManagedOOMPreference") == 0)
                        snprintf(u->preference, sizeof(u->preference), "%s", value);
        }
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int prop_id(sd_bus *bus, const char *path, const char *interface, const char *property,
                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", ((MockUnit *) userdata)->id);
}

static int prop_preference(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", ((MockUnit *) userdata)->preference);
}

static int prop_oom_policy(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", "stop");
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("GetUnit", "s", "o", get_unit, 0),
        SD_BUS_METHOD("GetUnitByPID", "u", "o", get_unit_by_pid, 0),
        SD_BUS_METHOD("SetUnitProperties", "sba(sv)", "", set_unit_properties, 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable unit_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", prop_id, 0, 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable service_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("ManagedOOMPreference", "s", prop_preference, 0, 0),
        SD_BUS_PROPERTY("OOMPolicy", "s", prop_oom_policy, 0, 0),
        SD_BUS_VTABLE_END,
};

int main(int argc, char **argv) {
        sd_bus *bus = NULL;
        sd_event *event = NULL;
        sigset_t ss;
        int r;

        if (argc < 2 || argc - 1 > MAX_UNITS) {
                fprintf(stderr, "usage: %s UNIT...\n", argv[0]);
                return 2;
        }
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigprocmask(SIG_BLOCK, &ss, NULL);
        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_bus_open_system(&bus);
        for (int i = 1; r >= 0 && i < argc; i++) {
                MockUnit *u = &units[n_units++];

                u->id = argv[i];
                snprintf(u->preference, sizeof(u->preference), "none");
                r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", u->id, &u->path);
                if (r >= 0)
                        r = sd_bus_add_object_vtable(bus, NULL, u->path, "org.freedesktop.systemd1.Unit", unit_vtable, u);
                if (r >= 0)
                        r = sd_bus_add_object_vtable(bus, NULL, u->path,
                                                     strstr(u->id, ".scope") ? "org.freedesktop.systemd1.Scope" :
                                                     "org.freedesktop.systemd1.Service", service_vtable, u);
        }
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                             manager_vtable, NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, 0);
        if (r < 0) {
                fprintf(stderr, "mock systemd: %s\n", strerror(-r));
                return 1;
        }
        printf("READY\n");
        fflush(stdout);
        r = sd_event_loop(event);
        sd_bus_flush_close_unref(bus);
        sd_event_unref(event);
        return r < 0 ? 1 : 0;
}
