/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "shared/parse-util.h"
#include "report/oom-event.h"
#include "shared/paths.h"
#include "shared/string-util.h"
#include "shared/time-util.h"

static const Verb verbs[] = {
        { "check", "[--as INSTALLED_PATH FILE]", "Validate the policy and print it with the origin of every setting",
          "Parses and validates the policy (the main file and its drop-ins). Prints the\n"
          "effective policy, every rule and sysctl with the FILE:LINE it comes from, and\n"
          "exits 0; or prints every error as FILE:LINE: message and exits 1. Warns (exit\n"
          "still 0) when a sysctl.d file sets one of the policy's sysctls differently.\n"
          "Lints (warnings; errors with --strict, exit 1), each with a stable id:\n"
          "  unqualified-protection, shadowed-rule (the policy alone),\n"
          "  immune-in-limited-memcg (the processes of ROOT/proc), unit-oom-policy\n"
          "  (asks systemd; not with --root), kubelet-sysctl (when a kubelet runs, or\n"
          "  --assume-kubelet). --verbose tells which were skipped and why.\n"
          "--as INSTALLED_PATH FILE checks the policy as it would be with FILE installed\n"
          "at INSTALLED_PATH (the main file, or NAME.conf in a drop-in directory the policy\n"
          "is read from; --config and --root apply): FILE replaces the file of that name,\n"
          "or is added where its name sorts among the drop-ins. Errors in FILE read\n"
          "  INSTALLED_PATH (checking FILE):LINE: message\n"
          "A drop-in that only changes one key of a shipped rule is judged merged, as the\n"
          "daemon would read it. FILE's owner and mode are not checked.\n"
          "As a config management validate command (Ansible validate:, Puppet\n"
          "validate_cmd, Salt check_cmd) for a drop-in, merged with what is installed:\n"
          "  oompolicyctl check --as " POLICY_DROPIN_DIR "/50-site.conf %s\n"
          "and for a whole self-contained policy file: oompolicyctl check --config %s\n"
          "Exit status: 0 valid, 1 invalid (or lints with --strict), 2 usage (also an\n"
          "INSTALLED_PATH that is no place of the policy).\n",
          0, 1, verb_check },
        { "apply", "[--dry-run] [--detailed-exitcodes]", "Set the sysctls and the oom_score_adj of every matching process once",
          "Sets the policy's sysctls and the oom_score_adj of every running process that a\n"
          "rule matches, printing one line per change:\n"
          "  PID NAME OLD -> NEW (RULE, FILE:LINE)\n"
          "Values that are already right print nothing. With --dry-run, prints the same\n"
          "without writing. Exits 1 when anything failed, with the reason per item.\n"
          "children = reset is acted on by the daemon only: a one-shot apply cannot see\n"
          "processes being born.\n"
          "--json prints one document: \"changed\" (true when anything was, or with\n"
          "--dry-run would be, changed), \"sysctl\" (key, old, new, origin, error),\n"
          "\"processes\" (pid, name, old, new, rule, origin, error, hint), \"units\",\n"
          "\"failures\" (type, item, reason, hint), \"dry_run\", \"matched\", \"failed\".\n"
          "--detailed-exitcodes, for config management: 0 nothing needed changing,\n"
          "3 something was changed (or would be, with --dry-run) and nothing failed,\n"
          "1 something failed (whether or not other things changed), 2 usage.\n",
          0, 0, verb_apply },
        { "status", "", "Show what the running daemon is doing",
          "Shows the state oompolicyd publishes in /run/oompolicyd/state.json: its policy\n"
          "files and load time, counters (processes adjusted, events, rescans, overflows),\n"
          "sysctl drift and recent errors. Says so clearly when no daemon is running (exit 1).\n",
          0, 0, verb_status },
        { "reload", "", "Make the running daemon reload its policy (SIGHUP)",
          "Sends SIGHUP to the running oompolicyd and waits (at most 90 s) for its verdict.\n"
          "The daemon parses the new policy completely; on any error it keeps the old one,\n"
          "and reload prints the errors and exits 1. Exits 0 once the new policy is in force.\n",
          0, 0, verb_reload },
        { "events", "[-b] [-S T] [-U T] [-D DIR] [-f]",
          "List the OOM kills the kernel reported, with the rule that governed each",
          "Parses the kernel's OOM-killer reports into one line per kill: wall-clock time,\n"
          "kernel time, victim pid/comm/uid, anon-rss, its oom_score_adj, global or memcg\n"
          "(with the cgroup), the trigger's comm and allocation order, and the rule that\n"
          "governed the victim where oompolicyd logged the kill.\n"
          "Reads, in this order: --file PATH (saved text, - for standard input: dmesg,\n"
          "dmesg -T, syslog, journalctl -k, logcat); the systemd journal (--directory DIR,\n"
          "else this machine's, if it holds kernel messages), which keeps earlier boots;\n"
          "else /dev/kmsg (this boot). The source is named on standard error.\n"
          "-b/--boot[=ID|-N|N] picks one boot (-b alone: this one, -1 the one before),\n"
          "-S/--since and -U/--until a time range (YYYY-MM-DD[ HH:MM[:SS]], now, today,\n"
          "yesterday, -1h, -30min, -2d), as journalctl takes them. -f/--follow keeps\n"
          "reading. --all also lists reports without a kill, marked \"no kill\".\n"
          "--json prints an array of objects, one per kill, with the keys oompolicyctl(8)\n"
          "lists; --tasks adds the task table. With --follow it prints one object per line\n"
          "as each kill completes (JSON Lines): a followed log has no end for an array.\n",
          0, 0, verb_events },
        { "top", "[-n N] [--all]", "List processes by the kernel's oom_score, with the rule governing each",
          "Lists processes ordered by their oom_score as the kernel reports it in\n"
          "/proc/PID/oom_score (the next OOM victim first; equal scores in the order the\n"
          "kernel would pick them), with user, name, RSS, swap, oom_score, oom_score_adj\n"
          "and the rule of the policy that governs each (NAME (FILE:LINE), or -).\n"
          "Shows 10 rows; -n N shows N. Kernel threads and processes with oom_score 0\n"
          "(never killed: oom_score_adj -1000, init, zombies) are left out; --all lists\n"
          "every process, with no row limit unless -n is given too.\n"
          "--json prints an array of objects with the keys pid, user, name, rss_kb,\n"
          "swap_kb, oom_score, oom_score_adj and rule (null when none).\n",
          0, 0, verb_top },
        { "explain", "PID", "Explain which rule governs a process and how its OOM badness is made up",
          "Checks every rule of the policy against the process and says for each qualifier\n"
          "why it matched or not, names the winning rule (the last matching one), its\n"
          "desired oom_score_adj against the current one, and breaks the process's badness\n"
          "into rss, swap, page tables and the oom_score_adj shift (pages and MiB); compares\n"
          "the oom_score computed from them with /proc/PID/oom_score and gives the rank\n"
          "among all killable processes now and under the policy. --json too.\n"
          "Exits 1 for a PID that does not exist, a kernel thread or a zombie.\n",
          1, 1, verb_explain },
        { "simulate", "[-n N] [--all] [--cgroup PATH]", "Predict the OOM kill order under the policy",
          "Predicts the order in which the OOM killer would kill processes if memory ran\n"
          "out now, under the installed policy or the one given with --config (before\n"
          "deploying it): each process gets the oom_score_adj of its matching rule, else\n"
          "keeps its current one. Uses the kernel's badness formula and tie rule; kernel\n"
          "threads, init and zombies are never candidates. Shows the first 10 killable\n"
          "(-n N for N; --all for all, and the unkillable ones), the victim and totalpages.\n"
          "--cgroup PATH (as /proc/PID/cgroup shows it) simulates an OOM inside that\n"
          "memory cgroup: only its processes and those below it, with its limit as\n"
          "totalpages. An unlimited cgroup is simulated at its nearest limited ancestor.\n"
          "--json prints an array of objects with the keys pid, name, points (null when\n"
          "unkillable), oom_score_adj and rule, the victim first.\n",
          0, 0, verb_simulate },
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
                "     --root=DIR        Operate on DIR/proc, DIR/sys and the policy and sysctl.d files\n"
                "                       below DIR instead of / (for tests and images)\n"
                "     --json            Machine-readable output\n"
                "     --no-pager        Accepted for compatibility; output is never paged\n"
                "     --dry-run         apply: print what would change, write nothing\n"
                "     --detailed-exitcodes  apply: exit 3 when something changed, 0 when nothing needed to\n"
                "     --as=PATH         check: FILE as if installed at PATH, merged with the installed policy\n"
                "     --state-dir=DIR   status/reload: the daemon's state directory (default /run/oompolicyd)\n"
                "  -f --follow          events: keep reading the journal or /dev/kmsg\n"
                "     --file=PATH       events: read saved kernel log text (- for stdin)\n"
                "  -b --boot[=ID|-N]    events: the kills of one boot (alone: this boot)\n"
                "  -S --since=TIME      events: kills from TIME on (YYYY-MM-DD[ HH:MM[:SS]], today, -1h)\n"
                "  -U --until=TIME      events: kills until TIME\n"
                "  -D --directory=DIR   events: read the journal files in DIR\n"
                "     --tasks           events --json: include the task table\n"
                "  -n --lines=N         top, simulate: show N rows (default 10)\n"
                "     --all             top: every process, also kernel threads; simulate: every candidate;\n"
                "                       events: also reports without a kill\n"
                "     --cgroup=PATH     simulate: an OOM inside this memory cgroup\n"
                "     --strict          check: lints are errors (exit 1)\n"
                "     --assume-kubelet  check: lint the sysctls against kubelet even if none runs\n"
                "     --verbose         check: say which lints were skipped and why\n"
                "\n"
                "The policy (without --config): " POLICY_FILE "\n"
                "(else the vendor copy " VENDOR_POLICY_FILE "), then the drop-ins\n"
                "NAME.conf in " POLICY_DROPIN_DIR ", " POLICY_RUNTIME_DROPIN_DIR " and\n"
                VENDOR_DROPIN_DIR ".\n"
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
        ARG_ALL,
        ARG_CGROUP,
        ARG_STRICT,
        ARG_ASSUME_KUBELET,
        ARG_VERBOSE,
        ARG_AS,
        ARG_DETAILED_EXITCODES,
};

/* --since/--until: a bad time is a usage error that says which forms work. */
static int parse_time_arg(const char *option, const char *arg, uint64_t *ret) {
        int r = events_parse_time(arg, now_usec(CLOCK_REALTIME), ret);

        if (r == -ERANGE)
                fprintf(stderr, "oompolicyctl: %s: '%s' is out of range (1970 to 9999)\n", option, arg);
        else if (r < 0)
                fprintf(stderr, "oompolicyctl: %s: '%s' is not a time; use 'YYYY-MM-DD[ HH:MM[:SS]]', 'now', "
                        "'today', 'yesterday', 'tomorrow' or a relative time such as '-1h', '-30min', '-2d'\n",
                        option, arg);
        return r < 0 ? -EINVAL : 0;
}

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
                { "lines", required_argument, NULL, 'n' },
                { "all", no_argument, NULL, ARG_ALL },
                { "cgroup", required_argument, NULL, ARG_CGROUP },
                { "boot", optional_argument, NULL, 'b' },
                { "since", required_argument, NULL, 'S' },
                { "until", required_argument, NULL, 'U' },
                { "directory", required_argument, NULL, 'D' },
                { "strict", no_argument, NULL, ARG_STRICT },
                { "assume-kubelet", no_argument, NULL, ARG_ASSUME_KUBELET },
                { "verbose", no_argument, NULL, ARG_VERBOSE },
                { "as", required_argument, NULL, ARG_AS },
                { "detailed-exitcodes", no_argument, NULL, ARG_DETAILED_EXITCODES },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "hc:n:fb::S:U:D:", options, NULL)) >= 0) {
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
                case 'b': {
                        const char *arg = optarg;

                        /* As journalctl: "-b -1" and "--boot -1" take the next word
                         * when it is a boot, and only then. */
                        if (!arg && optind < argc && events_looks_like_boot(argv[optind]))
                                arg = argv[optind++];
                        if (events_parse_boot(arg, &o->boot) < 0) {
                                fprintf(stderr, "oompolicyctl: --boot: '%s' is not a boot; use a boot ID (32 hex "
                                        "digits, optionally +N/-N), an offset (0 the last boot, -1 the one "
                                        "before) or a number counted from the first boot (1, 2, ...)\n", arg);
                                return -EINVAL;
                        }
                        break;
                }
                case 'S':
                        if (parse_time_arg("--since", optarg, &o->since) < 0)
                                return -EINVAL;
                        break;
                case 'U':
                        if (parse_time_arg("--until", optarg, &o->until) < 0)
                                return -EINVAL;
                        break;
                case 'D':
                        if (!*optarg) {
                                fprintf(stderr, "oompolicyctl: --directory needs a directory\n");
                                return -EINVAL;
                        }
                        o->directory = optarg;
                        break;
                case 'f':
                case ARG_FOLLOW:
                        o->follow = true;
                        break;
                case ARG_FILE:
                        o->file = optarg;
                        break;
                case ARG_TASKS:
                        o->tasks = true;
                        break;
                case 'n': {
                        int64_t n;

                        if (parse_int64_range(optarg, 1, INT32_MAX, &n) < 0) {
                                fprintf(stderr, "oompolicyctl: -n needs a positive number of rows, not '%s'\n", optarg);
                                return -EINVAL;
                        }
                        o->limit = (long) n;
                        break;
                }
                case ARG_ALL:
                        o->all = true;
                        break;
                case ARG_CGROUP:
                        if (!*optarg) {
                                fprintf(stderr, "oompolicyctl: --cgroup needs a cgroup path\n");
                                return -EINVAL;
                        }
                        o->cgroup = optarg;
                        break;
                case ARG_STRICT:
                        o->strict = true;
                        break;
                case ARG_ASSUME_KUBELET:
                        o->assume_kubelet = true;
                        break;
                case ARG_VERBOSE:
                        o->verbose = true;
                        break;
                case ARG_AS:
                        if (!*optarg) {
                                fprintf(stderr, "oompolicyctl: --as needs the path the file is to be installed at\n");
                                return -EINVAL;
                        }
                        o->as = optarg;
                        break;
                case ARG_DETAILED_EXITCODES:
                        o->detailed_exitcodes = true;
                        break;
                default:
                        /* getopt printed what was wrong */
                        return -EINVAL;
                }
        }
        return 0;
}

int main(int argc, char **argv) {
        CtlOptions o = { .root = "/", .since = OOM_TIME_UNSET, .until = OOM_TIME_UNSET };
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

        if (o.since != OOM_TIME_UNSET && o.until != OOM_TIME_UNSET && o.since > o.until) {
                fprintf(stderr, "oompolicyctl: --since is after --until\n");
                return 2;
        }
        if (o.as && !streq(verb->name, "check")) {
                fprintf(stderr, "oompolicyctl: --as is an option of check only\n");
                return 2;
        }
        if (o.detailed_exitcodes && !streq(verb->name, "apply")) {
                fprintf(stderr, "oompolicyctl: --detailed-exitcodes is an option of apply only\n");
                return 2;
        }
        if (o.file && (o.directory || o.boot.set)) {
                fprintf(stderr, "oompolicyctl: --file reads saved text; --%s needs the journal\n",
                        o.directory ? "directory" : "boot");
                return 2;
        }

        r = verb->run(&o, n_args, argv + optind + 1);
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, "oompolicyctl: write error on standard output\n");
                return 1;
        }
        /* A verb returns a negative errno for failure (1), or one of the other
         * exit codes (CTL_EXIT_*) itself. */
        return r < 0 ? 1 : r;
}
