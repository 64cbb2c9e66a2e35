/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/manager.h"
#include "daemon/publish.h"
#include "shared/parse-util.h"
#include "shared/paths.h"

static void help(void) {
        printf("Usage: oompolicyd [OPTIONS]\n"
               "\n"
               "Keeps the OOM policy applied: sets the policy's sysctls, adjusts every running\n"
               "process, then adjusts each new, renamed or setuid process as the kernel reports it.\n"
               "Controlled by signals: SIGHUP reloads, SIGTERM/SIGINT stop.\n"
               "\n"
               "Options:\n"
               "  -h --help               Show this help\n"
               "     --version            Show the version\n"
               "  -c --config=FILE        Read FILE and FILE.d/*.conf instead of the default locations\n"
               "     --root=DIR           Use DIR/proc, DIR/dev/kmsg and the policy files below DIR (for tests)\n"
               "     --log-target=TARGET  auto, journal or console (default: auto)\n"
               "     --log-level=LEVEL    err, warning, notice, info or debug (default: the policy's log_level)\n"
               "     --state-dir=DIR      Where to publish state.json (default: " STATE_DIR_DEFAULT ")\n"
               "\n"
               "The policy (without --config): " POLICY_FILE "\n"
               "(else the vendor copy " VENDOR_POLICY_FILE "), then the drop-ins\n"
               "NAME.conf in " POLICY_DROPIN_DIR ", " POLICY_RUNTIME_DROPIN_DIR " and\n"
               VENDOR_DROPIN_DIR ".\n"
               "\n"
               "See oompolicyd(8) and oompolicy.conf(5).\n");
}

enum {
        ARG_VERSION = 0x100,
        ARG_ROOT,
        ARG_LOG_TARGET,
        ARG_LOG_LEVEL,
        ARG_STATE_DIR,
        ARG_TEST_RCVBUF,
        ARG_TEST_NO_NETLINK,
        ARG_TEST_KEEP_CAPS,
        ARG_TEST_KERNEL_LOG,
        ARG_TEST_METRICS_INTERVAL,
};

static int parse_argv(int argc, char **argv, ManagerOptions *o) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "config", required_argument, NULL, 'c' },
                { "root", required_argument, NULL, ARG_ROOT },
                { "log-target", required_argument, NULL, ARG_LOG_TARGET },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                /* Test hooks, deliberately undocumented in --help: see tests/integration. */
                { "test-rcvbuf", required_argument, NULL, ARG_TEST_RCVBUF },
                { "test-no-netlink", no_argument, NULL, ARG_TEST_NO_NETLINK },
                { "test-keep-caps", no_argument, NULL, ARG_TEST_KEEP_CAPS },
                { "test-kernel-log", required_argument, NULL, ARG_TEST_KERNEL_LOG },
                { "test-metrics-interval", required_argument, NULL, ARG_TEST_METRICS_INTERVAL },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "hc:", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("oompolicyd %s\n", PKGVERSION);
                        return 0;
                case 'c':
                        if (!*optarg) {
                                fprintf(stderr, "oompolicyd: --config needs a file name\n");
                                return -EINVAL;
                        }
                        o->config = optarg;
                        break;
                case ARG_ROOT:
                        o->root = optarg;
                        break;
                case ARG_LOG_TARGET:
                        o->log_target = log_target_from_string(optarg);
                        if ((int) o->log_target < 0) {
                                fprintf(stderr, "oompolicyd: invalid --log-target '%s' (auto, journal or console)\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_LOG_LEVEL:
                        o->log_level = parse_log_level(optarg);
                        if (o->log_level < 0) {
                                fprintf(stderr, "oompolicyd: invalid --log-level '%s'\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_STATE_DIR:
                        o->state_dir = optarg;
                        break;
                case ARG_TEST_RCVBUF:
                        if (parse_int_range(optarg, 1, 1 << 30, &o->rcvbuf_bytes) < 0) {
                                fprintf(stderr, "oompolicyd: invalid --test-rcvbuf '%s'\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_TEST_NO_NETLINK:
                        o->no_netlink = true;
                        break;
                case ARG_TEST_KEEP_CAPS:
                        o->keep_caps = true;
                        break;
                case ARG_TEST_KERNEL_LOG:
                        o->kernel_log = optarg;
                        break;
                case ARG_TEST_METRICS_INTERVAL:
                        if (parse_int_range(optarg, 1, 3600, &o->metrics_interval_sec) < 0) {
                                fprintf(stderr, "oompolicyd: invalid --test-metrics-interval '%s'\n", optarg);
                                return -EINVAL;
                        }
                        break;
                default:
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "oompolicyd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char **argv) {
        ManagerOptions opts = { .root = "/", .log_target = LOG_TARGET_AUTO, .log_level = -1 };
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        r = parse_argv(argc, argv, &opts);
        if (r <= 0) {
                if (r < 0)
                        fprintf(stderr, "Try 'oompolicyd --help' for more information.\n");
                return r < 0 ? 2 : 0;
        }

        r = manager_new(&opts, &m);
        if (r < 0) {
                fprintf(stderr, "oompolicyd: cannot initialize: %s\n", strerror(-r));
                return 1;
        }
        r = manager_start(m);
        if (r < 0)
                return 1;
        r = manager_run(m);
        if (r < 0) {
                (void) log_msg_errno(&m->log, LOG_ERR, r, "Event loop failed: %m");
                return 1;
        }
        return 0;
}
