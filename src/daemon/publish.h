/* SPDX-License-Identifier: MIT */
#pragma once

typedef struct Manager Manager;

#define STATE_DIR_DEFAULT "/run/oompolicyd"
#define STATE_FILE_NAME "state.json"

/* Writes the daemon's state as JSON to STATE_DIR/state.json, the Prometheus
 * metrics file when configured, and sd_notify STATUS=. Every file is replaced
 * atomically (temp file + rename), so readers never see half a file. */
void publish_state(Manager *m);

/* temp file + fsync-free rename in the same directory; -errno. */
int write_file_atomic(const char *path, const char *content);
