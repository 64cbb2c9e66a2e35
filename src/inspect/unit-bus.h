/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/types.h>
#include <systemd/sd-bus.h>

/* Read-only questions to systemd over the system bus. No policy here: callers decide
 * what an OOMPolicy= or a ManagedOOMPreference= means for them. */

/* Connects to the system bus. Negative errno when there is none (-ENOENT,
 * -ECONNREFUSED, ...), which callers treat as "systemd cannot be asked". */
int unit_bus_open_system(sd_bus **ret);

/* The Id of the unit that holds PID (Manager.GetUnitByPID), e.g. "ssh.service".
 * -ENOENT/-ESRCH-like errors from systemd come back as negative errno. */
int unit_bus_unit_of_pid(sd_bus *bus, pid_t pid, char **ret_unit);

/* A string property of a loaded unit, e.g. ("org.freedesktop.systemd1.Service",
 * "OOMPolicy") or ("org.freedesktop.systemd1.Scope", "ManagedOOMPreference"). */
int unit_bus_get_property_string(sd_bus *bus, const char *unit, const char *interface,
                                 const char *property, char **ret);

/* The systemd interface carrying the unit-type specific properties of UNIT:
 * ".service" -> org.freedesktop.systemd1.Service, ".scope" -> ...Scope, ".slice"
 * -> ...Slice; NULL for any other type. */
const char *unit_bus_interface_of(const char *unit);

/* Without a bus: the unit that holds a process, from the content of its
 * /proc/PID/cgroup. Reads the cgroup v2 line ("0::PATH") or, on v1, the systemd
 * hierarchy ("N:name=systemd:PATH"), which wins when both are there: on a v1 or
 * hybrid machine the "0::" line is "/" or mirrors it. The
 * unit is the innermost path component ending in .service or .scope (sub-cgroups a
 * service made itself lie below it), else the innermost .slice.
 * ret_cgroup_path (optional) gets PATH. -ENOENT when there is no such line or no
 * unit in it ("/"), -EBADMSG for a malformed line, -ENOMEM. */
int unit_from_proc_cgroup(const char *content, char **ret_unit, char **ret_cgroup_path);
