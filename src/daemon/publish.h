/* SPDX-License-Identifier: MIT */
#pragma once

typedef struct Manager Manager;

#define STATE_DIR_DEFAULT "/run/oompolicyd"
#define STATE_FILE_NAME "state.json"
/* How often the metrics file is rewritten while nothing happens: its age (the
 * node exporter's node_textfile_mtime_seconds, or the file's own
 * oompolicyd_last_update_timestamp_seconds) then tells a hung or killed daemon
 * from an idle one. The shipped alerting rules call a file older than 5
 * minutes stale, ten times this. */
#define METRICS_REFRESH_USEC (30 * 1000000ULL)

/* Hands the daemon's state as JSON (STATE_DIR/state.json) and the Prometheus
 * metrics file, when configured, to the manager's file writer, which replaces
 * each atomically (temp file + rename) off the event loop, so readers never see
 * half a file. Logs what failed since the last call. */
void publish_state(Manager *m);

/* Removes a metrics file after every queued write of it is done: on a clean
 * stop (a stopped daemon has no metrics, rather than stale ones) and when a
 * reload moves metrics_file elsewhere. */
void publish_withdraw_metrics(Manager *m, const char *path);

/* Creates the state directory if needed and takes an exclusive flock(2) on it,
 * held by the returned fd for the daemon's lifetime: two daemons publishing
 * into one directory would overwrite each other's state and both adjust every
 * process. -EBUSY when another process holds it. */
int publish_lock_state_dir(const char *dir, int *ret_fd);
