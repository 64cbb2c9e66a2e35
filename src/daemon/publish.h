/* SPDX-License-Identifier: MIT */
#pragma once

typedef struct Manager Manager;

#define STATE_DIR_DEFAULT "/run/oompolicyd"
#define STATE_FILE_NAME "state.json"

/* Hands the daemon's state as JSON (STATE_DIR/state.json) and the Prometheus
 * metrics file, when configured, to the manager's file writer, which replaces
 * each atomically (temp file + rename) off the event loop, so readers never see
 * half a file. Logs what failed since the last call. */
void publish_state(Manager *m);

/* Creates the state directory if needed and takes an exclusive flock(2) on it,
 * held by the returned fd for the daemon's lifetime: two daemons publishing
 * into one directory would overwrite each other's state and both adjust every
 * process. -EBUSY when another process holds it. */
int publish_lock_state_dir(const char *dir, int *ret_fd);
