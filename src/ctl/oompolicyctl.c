/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "parse-util.h"

static const Verb verbs[] = {
        { "check", "", "Validate the policy and print it with the origin of every setting",
          "Parses and validates the policy (the main file and its drop-ins). Prints the\n"
          "effective policy, every rule and sysctl with the FILE:LINE it comes from, and\n"
          "exits 0; or prints every error as FILE:LINE: message and exits 1. Warns (exit\n"
          "still 0) when a sysctl.d file sets one of the policy's sysctls differently.\n"
          "Usable as an Ansible validate command: oompolicyctl check --config %s\n",
          0, 0, verb_check },
        { "apply", "[--dry-run]", "Set the sysctls and the oom_score_adj of every matching process once",
          "Sets the policy's sysctls and the oom_score_adj of every running process that a\n"
          "rule matches, printing one line per change:\n"
          "  PID NAME OLD -> NEW (RULE, FILE:LINE)\n"
          "Values that are already right print nothing. With --dry-run, prints the same\n"
          "without writing. Exits 1 when anything failed, with the reason per item.\n"
          "children = reset is acted on by the daemon only: a one-shot apply cannot see\n"
          "processes being born.\n",
          0, 0, verb_apply },
        { "status", "", "Show what the running daemon is doing",
          "Shows the state oompolicyd publishes in /run/oompolicyd/state.json: its policy\n"
          "files and load time, counters (processes adjusted, events, rescans, overflows),\n"
          "sysctl drift and recent errors. Says so clearly when no daemon is running (exit 1).\n",
          0, 0, verb_status },
        { "reload", "", "Make the running daemon reload its policy (SIGHUP)",
          "Sends SIGHUP to the running oompolicyd. The daemon parses the new policy completely;\n"
          "on any error it keeps the old one and logs every error. Run 'oompolicyctl check'\n"
          "first to see the errors here.\n",
          0, 0, verb_reload },
        { "events", "[--follow] [--file PATH|-] [--tasks]", "List the OOM kills the kernel reported",
          "Parses the kernel's OOM-killer reports into one line per kill: time, victim\n"
          "pid/comm/uid, anon-rss, its oom_score_adj, global or memcg (with the cgroup),\n"
          "and the trigger's comm and allocation order. Reads /dev/kmsg (--follow keeps\n"
          "reading), or saved text with --file PATH (- for standard input): raw dmesg,\n"
          "dmesg -T, syslog files and journalctl -k output, kernels 3.10 to 6.x.\n"
          "--json prints one JSON object per kill per line; --tasks adds the task table.\n",
          0, 0, verb_events },
};

static void usage(FILE *f) {
        fprintf(f,
                "Usage: oompolicyctl [OPTIONS] COMMAND [ARGS]\n"
                "\n"
                "Check, apply and inspect the OOM policy of this machine.\n"
                "\n"
                "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-8s %-14s %s\n", verbs[i].name, verbs[i].args, verbs[i].summary);
        fprintf(f,
                "\n"
                "Options:\n"
                "  -h --help            Show this help (after a command: that command's help)\n"
                "     --version         Show the version\n"
                "  -c --config=FILE     Read FILE and FILE.d/*.conf instead of the default locations\n"
                "     --root=DIR        Operate on DIR/proc and DIR/etc instead of / (for tests and images)\n"
                "     --json            Machine-readable output\n"
                "     --no-pager        Accepted for compatibility; output is never paged\n"
                "     --dry-run         apply: print what would change, write nothing\n"
                "     --state-dir=DIR   status/reload: the daemon's state directory (default /run/oompolicyd)\n"
                "     --follow          events: keep reading /dev/kmsg\n"
                "     --file=PATH       events: read saved kernel log text (- for stdin)\n"
                "     --tasks           events --json: include the task table\n"
                "\n"
                "See oompolicyctl(8) and oompolicy.conf(5).\n");
}

static void verb_usage(const Verb *v) {
        printf("Usage: oompolicyctl [OPTIONS] %s %s\n\n%s\n%s", v->name, v->args, v->summary, "");
        printf("\n%s", v->help);
}

static const Verb *find_verb(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, name) == 0)
                        return &verbs[i];
        return NULL;
}

enum {
        ARG_VERSION = 0x100,
        ARG_ROOT,
        ARG_JSON,
        ARG_NO_PAGER,
        ARG_DRY_RUN,
        ARG_STATE_DIR,
        ARG_FOLLOW,
        ARG_FILE,
        ARG_TASKS,
};

static int parse_argv(int argc, char **argv, CtlOptions *o, bool *ret_help) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "config", required_argument, NULL, 'c' },
                { "root", required_argument, NULL, ARG_ROOT },
                { "json", no_argument, NULL, ARG_JSON },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "dry-run", no_argument, NULL, ARG_DRY_RUN },
                { "state-dir", required_argument, NULL, ARG_STATE_DIR },
                { "follow", no_argument, NULL, ARG_FOLLOW },
                { "file", required_argument, NULL, ARG_FILE },
                { "tasks", no_argument, NULL, ARG_TASKS },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "hc:", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        *ret_help = true;
                        break;
                case ARG_VERSION:
                        printf("oompolicyctl %s\n", PKGVERSION);
                        exit(EXIT_SUCCESS);
                case 'c':
                        if (!*optarg) {
                                fprintf(stderr, "oompolicyctl: --config needs a file name\n");
                                return -EINVAL;
                        }
                        o->config = optarg;
                        break;
                case ARG_ROOT:
                        o->root = optarg;
                        break;
                case ARG_JSON:
                        o->json = true;
                        break;
                case ARG_NO_PAGER:
                        break;
                case ARG_DRY_RUN:
                        o->dry_run = true;
                        break;
                case ARG_STATE_DIR:
                        o->state_dir = optarg;
                        break;
                case ARG_FOLLOW:
                        o->follow = true;
                        break;
                case ARG_FILE:
                        o->file = optarg;
                        break;
                case ARG_TASKS:
                        o->tasks = true;
                        break;
                default:
                        /* getopt printed what was wrong */
                        return -EINVAL;
                }
        }
        return 0;
}

int main(int argc, char **argv) {
        CtlOptions o = { .root = "/" };
        const Verb *verb;
        bool help = false;
        int n_args, r;

        r = parse_argv(argc, argv, &o, &help);
        if (r < 0) {
                fprintf(stderr, "Try 'oompolicyctl --help' for more information.\n");
                return 2;
        }
        if (optind >= argc) {
                if (help) {
                        usage(stdout);
                        return 0;
                }
                fprintf(stderr, "oompolicyctl: missing command\nTry 'oompolicyctl --help' for more information.\n");
                return 2;
        }
        verb = find_verb(argv[optind]);
        if (!verb) {
                fprintf(stderr, "oompolicyctl: unknown command '%s'\nTry 'oompolicyctl --help' for more information.\n",
                        argv[optind]);
                return 2;
        }
        if (help) {
                verb_usage(verb);
                return 0;
        }
        n_args = argc - optind - 1;
        if (n_args < verb->min_args || n_args > verb->max_args) {
                fprintf(stderr, "oompolicyctl %s: %s arguments\nTry 'oompolicyctl %s --help' for more information.\n",
                        verb->name, n_args < verb->min_args ? "missing" : "too many", verb->name);
                return 2;
        }

        r = verb->run(&o, n_args, argv + optind + 1);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "oompolicyctl: write error on standard output\n");
                return 1;
        }
        return r < 0 ? 1 : 0;
}
