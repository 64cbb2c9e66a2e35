/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "test-util.h"
#include "shared/macro.h"
#include "daemon/proc-events.h"

#define DGRAM_MAX 4096
#define LIVE_TIMEOUT_MS 5000

/* Appends one netlink message of the given type and payload at buf + off and
 * returns the offset of the next one. */
static size_t put_nlmsg(uint8_t *buf, size_t off, uint16_t type, const void *payload, size_t size) {
        struct nlmsghdr nh = {
                .nlmsg_len = NLMSG_LENGTH(size),
                .nlmsg_type = type,
        };

        assert_true(off + NLMSG_SPACE(size) <= DGRAM_MAX);
        memset(buf + off, 0, NLMSG_SPACE(size));
        memcpy(buf + off, &nh, sizeof(nh));
        if (size > 0)
                memcpy(buf + off + NLMSG_HDRLEN, payload, size);
        return off + NLMSG_SPACE(size);
}

/* A connector message the way the kernel frames it: NLMSG_DONE, cn_msg, data. */
static size_t put_cn(uint8_t *buf, size_t off, uint32_t idx, uint32_t val, uint32_t ack,
                     const void *data, size_t size) {
        uint8_t payload[sizeof(struct cn_msg) + 256] = {};
        struct cn_msg cn = {
                .id = { .idx = idx, .val = val },
                .ack = ack,
                .len = (uint16_t) size,
        };

        assert_true(size <= 256);
        memcpy(payload, &cn, sizeof(cn));
        memcpy(payload + sizeof(cn), data, size);
        return put_nlmsg(buf, off, NLMSG_DONE, payload, sizeof(cn) + size);
}

static size_t put_event(uint8_t *buf, size_t off, const struct proc_event *ev) {
        return put_cn(buf, off, CN_IDX_PROC, CN_VAL_PROC, 0, ev, sizeof(*ev));
}

static void set_nlmsg_len(uint8_t *msg, uint32_t len) {
        memcpy(msg + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof(len));
}

static void set_cn_len(uint8_t *msg, uint16_t len) {
        memcpy(msg + NLMSG_HDRLEN + offsetof(struct cn_msg, len), &len, sizeof(len));
}

/* Decodes from an exactly sized heap copy, so ASan sees any overread. */
static int decode(const uint8_t *buf, size_t len, ProcEvent *events, size_t max, size_t *n) {
        _cleanup_free_ uint8_t *copy = malloc(MAX(len, (size_t) 1));

        assert_non_null(copy);
        if (len > 0)
                memcpy(copy, buf, len);
        *n = SIZE_MAX;
        return proc_events_decode(copy, len, events, max, n);
}

static ProcEvent decode_one(const struct proc_event *ev) {
        uint8_t buf[DGRAM_MAX];
        ProcEvent out[2];
        size_t len, n;

        len = put_event(buf, 0, ev);
        assert_int_equal(decode(buf, len, out, ELEMENTSOF(out), &n), 0);
        assert_int_equal(n, 1);
        return out[0];
}

static void test_kind_to_string(void **state) {
        for (ProcEventKind k = 0; k < _PROC_EVENT_KIND_MAX; k++) {
                assert_non_null(proc_event_kind_to_string(k));
                for (ProcEventKind j = 0; j < k; j++)
                        assert_string_not_equal(proc_event_kind_to_string(j), proc_event_kind_to_string(k));
        }
        assert_string_equal(proc_event_kind_to_string(PROC_EVENT_KIND_FORK), "fork");
        assert_string_equal(proc_event_kind_to_string(PROC_EVENT_KIND_ACK), "ack");
        assert_null(proc_event_kind_to_string(_PROC_EVENT_KIND_MAX));
        assert_null(proc_event_kind_to_string(_PROC_EVENT_KIND_INVALID));
}

static void test_decode_fork(void **state) {
        struct proc_event ev = {
                .what = PROC_EVENT_FORK,
                .cpu = 3,
                .timestamp_ns = 123456789012ULL,
                .event_data.fork = { .parent_pid = 101, .parent_tgid = 100, .child_pid = 201, .child_tgid = 200 },
        };
        ProcEvent e = decode_one(&ev);

        assert_int_equal(e.kind, PROC_EVENT_KIND_FORK);
        assert_int_equal(e.cpu, 3);
        assert_int_equal(e.timestamp_ns, 123456789012ULL);
        assert_int_equal(e.pid, 201);
        assert_int_equal(e.tgid, 200);
        assert_int_equal(e.parent_pid, 101);
        assert_int_equal(e.parent_tgid, 100);
        assert_int_equal(e.ruid, 0);
        assert_int_equal(e.comm[0], '\0');
}

static void test_decode_exec(void **state) {
        struct proc_event ev = {
                .what = PROC_EVENT_EXEC,
                .timestamp_ns = 42,
                .event_data.exec = { .process_pid = 4242, .process_tgid = 4242 },
        };
        ProcEvent e = decode_one(&ev);

        assert_int_equal(e.kind, PROC_EVENT_KIND_EXEC);
        assert_int_equal(e.pid, 4242);
        assert_int_equal(e.tgid, 4242);
        assert_int_equal(e.parent_pid, 0);
        assert_int_equal(e.timestamp_ns, 42);
}

static void test_decode_uid_gid(void **state) {
        struct proc_event ev = {
                .what = PROC_EVENT_UID,
                .event_data.id = { .process_pid = 7, .process_tgid = 6, .r.ruid = 1000, .e.euid = 0 },
        };
        ProcEvent e = decode_one(&ev);

        assert_int_equal(e.kind, PROC_EVENT_KIND_UID);
        assert_int_equal(e.pid, 7);
        assert_int_equal(e.tgid, 6);
        assert_int_equal(e.ruid, 1000);
        assert_int_equal(e.euid, 0);
        assert_int_equal(e.rgid, 0);

        ev.what = PROC_EVENT_GID;
        ev.event_data.id.r.rgid = 100;
        ev.event_data.id.e.egid = 4294967294U;
        e = decode_one(&ev);
        assert_int_equal(e.kind, PROC_EVENT_KIND_GID);
        assert_int_equal(e.rgid, 100);
        assert_int_equal(e.egid, 4294967294U);
        assert_int_equal(e.ruid, 0);
        assert_int_equal(e.euid, 0);
}

static void test_decode_sid_ptrace_coredump(void **state) {
        struct proc_event ev = {
                .what = PROC_EVENT_SID,
                .event_data.sid = { .process_pid = 55, .process_tgid = 55 },
        };
        ProcEvent e = decode_one(&ev);

        assert_int_equal(e.kind, PROC_EVENT_KIND_SID);
        assert_int_equal(e.pid, 55);

        ev = (struct proc_event) {
                .what = PROC_EVENT_PTRACE,
                .event_data.ptrace = { .process_pid = 60, .process_tgid = 59, .tracer_pid = 70, .tracer_tgid = 69 },
        };
        e = decode_one(&ev);
        assert_int_equal(e.kind, PROC_EVENT_KIND_PTRACE);
        assert_int_equal(e.pid, 60);
        assert_int_equal(e.tgid, 59);
        assert_int_equal(e.tracer_pid, 70);
        assert_int_equal(e.tracer_tgid, 69);

        ev = (struct proc_event) {
                .what = PROC_EVENT_COREDUMP,
                .event_data.coredump = { .process_pid = 80, .process_tgid = 80, .parent_pid = 1, .parent_tgid = 1 },
        };
        e = decode_one(&ev);
        assert_int_equal(e.kind, PROC_EVENT_KIND_COREDUMP);
        assert_int_equal(e.pid, 80);
        assert_int_equal(e.parent_pid, 1);
        assert_int_equal(e.parent_tgid, 1);
}

static void test_decode_comm(void **state) {
        struct proc_event ev = {
                .what = PROC_EVENT_COMM,
                .event_data.comm = { .process_pid = 9, .process_tgid = 8, .comm = "kworker" },
        };
        ProcEvent e = decode_one(&ev);

        assert_int_equal(e.kind, PROC_EVENT_KIND_COMM);
        assert_int_equal(e.pid, 9);
        assert_int_equal(e.tgid, 8);
        assert_string_equal(e.comm, "kworker");

        /* All 16 bytes used, no terminator: cut to 15 characters. */
        memcpy(ev.event_data.comm.comm, "0123456789abcdef", 16);
        e = decode_one(&ev);
        assert_string_equal(e.comm, "0123456789abcde");
}

static void test_decode_exit(void **state) {
        struct proc_event ev = {
                .what = PROC_EVENT_EXIT,
                .cpu = 1,
                .event_data.exit = {
                        .process_pid = 300, .process_tgid = 299,
                        .exit_code = 3 << 8, .exit_signal = (uint32_t) -1,
                        .parent_pid = 298, .parent_tgid = 298,
                },
        };
        ProcEvent e = decode_one(&ev);

        assert_int_equal(e.kind, PROC_EVENT_KIND_EXIT);
        assert_int_equal(e.pid, 300);
        assert_int_equal(e.tgid, 299);
        assert_true(WIFEXITED(e.exit_code));
        assert_int_equal(WEXITSTATUS(e.exit_code), 3);
        assert_int_equal(e.exit_signal, -1);
        assert_int_equal(e.parent_pid, 298);
        assert_int_equal(e.parent_tgid, 298);
        assert_int_equal(e.cpu, 1);
}

static void test_decode_ack(void **state) {
        struct proc_event ev = {
                .what = PROC_EVENT_NONE,
                .event_data.ack.err = EPERM,
        };
        uint8_t buf[DGRAM_MAX];
        ProcEvent e;
        size_t len, n;

        len = put_cn(buf, 0, CN_IDX_PROC, CN_VAL_PROC, 43, &ev, sizeof(ev));
        assert_int_equal(decode(buf, len, &e, 1, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(e.kind, PROC_EVENT_KIND_ACK);
        assert_int_equal(e.ack_err, -EPERM);
        assert_int_equal(e.ack_cookie, 43);
        assert_int_equal(e.pid, 0);

        ev.event_data.ack.err = 0;
        len = put_cn(buf, 0, CN_IDX_PROC, CN_VAL_PROC, 1, &ev, sizeof(ev));
        assert_int_equal(decode(buf, len, &e, 1, &n), 0);
        assert_int_equal(e.ack_err, 0);
}

static const struct proc_event fork_ev = {
        .what = PROC_EVENT_FORK,
        .event_data.fork = { .parent_pid = 1, .parent_tgid = 1, .child_pid = 2, .child_tgid = 2 },
};
static const struct proc_event exec_ev = {
        .what = PROC_EVENT_EXEC,
        .event_data.exec = { .process_pid = 2, .process_tgid = 2 },
};

static void test_two_messages(void **state) {
        uint8_t buf[DGRAM_MAX];
        ProcEvent e[4];
        size_t len, n;

        len = put_event(buf, 0, &fork_ev);
        len = put_event(buf, len, &exec_ev);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(e[0].kind, PROC_EVENT_KIND_FORK);
        assert_int_equal(e[1].kind, PROC_EVENT_KIND_EXEC);
        assert_int_equal(e[1].pid, 2);

        /* Not enough room: what fits is reported. */
        assert_int_equal(decode(buf, len, e, 1, &n), -ENOSPC);
        assert_int_equal(n, 1);
        assert_int_equal(e[0].kind, PROC_EVENT_KIND_FORK);
        assert_int_equal(decode(buf, len, NULL, 0, &n), -ENOSPC);
        assert_int_equal(n, 0);
}

static void test_noop_and_other_types_skipped(void **state) {
        uint8_t buf[DGRAM_MAX], junk[7] = "abcdef";
        ProcEvent e[4];
        size_t len, n;

        len = put_nlmsg(buf, 0, NLMSG_NOOP, NULL, 0);
        len = put_event(buf, len, &fork_ev);
        len = put_nlmsg(buf, len, NLMSG_NOOP, junk, sizeof(junk));
        len = put_nlmsg(buf, len, NLMSG_MIN_TYPE + 3, junk, sizeof(junk));
        len = put_event(buf, len, &exec_ev);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(e[0].kind, PROC_EVENT_KIND_FORK);
        assert_int_equal(e[1].kind, PROC_EVENT_KIND_EXEC);

        /* Skipped messages need no room in events[]. */
        len = put_nlmsg(buf, 0, NLMSG_NOOP, NULL, 0);
        assert_int_equal(decode(buf, len, NULL, 0, &n), 0);
        assert_int_equal(n, 0);

        /* The last message may come without its alignment padding. */
        len = put_event(buf, 0, &fork_ev);
        put_nlmsg(buf, len, NLMSG_NOOP, junk, 1);
        assert_int_equal(decode(buf, len + NLMSG_LENGTH(1), e, ELEMENTSOF(e), &n), 0);
        assert_int_equal(n, 1);

        assert_int_equal(decode(buf, 0, e, ELEMENTSOF(e), &n), 0);
        assert_int_equal(n, 0);
}

static void test_nlmsg_error(void **state) {
        struct nlmsgerr err = { .error = 0 };
        uint8_t buf[DGRAM_MAX];
        ProcEvent e[4];
        size_t len, n;

        /* error == 0 is a netlink ack: skipped. */
        len = put_nlmsg(buf, 0, NLMSG_ERROR, &err, sizeof(err));
        len = put_event(buf, len, &fork_ev);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), 0);
        assert_int_equal(n, 1);

        err.error = -EPERM;
        len = put_event(buf, 0, &fork_ev);
        len = put_nlmsg(buf, len, NLMSG_ERROR, &err, sizeof(err));
        len = put_event(buf, len, &exec_ev);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EPROTO);
        assert_int_equal(n, 1);
        assert_int_equal(e[0].kind, PROC_EVENT_KIND_FORK);

        /* Too short to hold a struct nlmsgerr. */
        len = put_nlmsg(buf, 0, NLMSG_ERROR, &err, sizeof(err.error));
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);
        assert_int_equal(n, 0);
}

static void test_overrun(void **state) {
        uint8_t buf[DGRAM_MAX];
        ProcEvent e[4];
        size_t len, n;

        len = put_event(buf, 0, &fork_ev);
        len = put_nlmsg(buf, len, NLMSG_OVERRUN, NULL, 0);
        len = put_event(buf, len, &exec_ev);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -ENOBUFS);
        assert_int_equal(n, 1);
        assert_int_equal(e[0].kind, PROC_EVENT_KIND_FORK);
}

static void test_wrong_connector_id(void **state) {
        uint8_t buf[DGRAM_MAX];
        ProcEvent e[4];
        size_t len, n;

        len = put_cn(buf, 0, CN_IDX_DM, CN_VAL_PROC, 0, &exec_ev, sizeof(exec_ev));
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);
        assert_int_equal(n, 0);

        len = put_cn(buf, 0, CN_IDX_PROC, 2, 0, &exec_ev, sizeof(exec_ev));
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);
        assert_int_equal(n, 0);

        /* Events before the bad message are still reported. */
        len = put_event(buf, 0, &fork_ev);
        len = put_cn(buf, len, CN_IDX_CIFS, CN_VAL_CIFS, 0, &exec_ev, sizeof(exec_ev));
        len = put_event(buf, len, &exec_ev);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);
        assert_int_equal(n, 1);
        assert_int_equal(e[0].kind, PROC_EVENT_KIND_FORK);
}

static void test_unknown_what_skipped(void **state) {
        static const uint32_t unknown[] = { 0x00000400, 0x20000000, 0x00000008, 0xffffffff };
        uint8_t buf[DGRAM_MAX];
        ProcEvent e[4];
        size_t n;

        for (size_t i = 0; i < ELEMENTSOF(unknown); i++) {
                struct proc_event ev = { .cpu = 1 };
                size_t len;

                memcpy(&ev.what, &unknown[i], sizeof(unknown[i]));
                len = put_event(buf, 0, &ev);
                /* Only the header: its payload size is unknown to us anyway. */
                len = put_cn(buf, len, CN_IDX_PROC, CN_VAL_PROC, 0, &ev, offsetof(struct proc_event, event_data));
                len = put_event(buf, len, &exec_ev);
                assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), 0);
                assert_int_equal(n, 1);
                assert_int_equal(e[0].kind, PROC_EVENT_KIND_EXEC);

                /* But `what` itself must be there. */
                len = put_cn(buf, 0, CN_IDX_PROC, CN_VAL_PROC, 0, &ev, offsetof(struct proc_event, event_data) - 1);
                assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);
        }
}

static void test_truncated_at_every_length(void **state) {
        struct proc_event comm_ev = {
                .what = PROC_EVENT_COMM,
                .event_data.comm = { .process_pid = 5, .process_tgid = 5, .comm = "0123456789abcdef" },
        };
        uint8_t buf[DGRAM_MAX];
        size_t ends[3], len = 0;
        ProcEvent e[4];

        len = ends[0] = put_event(buf, len, &fork_ev);
        len = ends[1] = put_event(buf, len, &comm_ev);
        len = ends[2] = put_event(buf, len, &exec_ev);

        for (size_t l = 0; l <= len; l++) {
                size_t complete = 0, n;
                int r;

                while (complete < ELEMENTSOF(ends) && ends[complete] <= l)
                        complete++;

                r = decode(buf, l, e, ELEMENTSOF(e), &n);
                assert_int_equal(n, complete);
                if (l == 0 || (complete > 0 && l == ends[complete - 1]))
                        assert_int_equal(r, 0);
                else
                        assert_int_equal(r, -EBADMSG);
        }
}

static void test_nlmsg_len_lies(void **state) {
        uint8_t buf[DGRAM_MAX];
        size_t len, second, n;
        ProcEvent e[4];

        len = put_event(buf, 0, &fork_ev);

        /* Every claimed length but the true one is wrong somewhere. */
        for (uint32_t l = 0; l <= len + 2 * NLMSG_ALIGNTO; l++) {
                int r;

                set_nlmsg_len(buf, l);
                r = decode(buf, len, e, ELEMENTSOF(e), &n);
                if (l == len) {
                        assert_int_equal(r, 0);
                        assert_int_equal(n, 1);
                } else {
                        assert_int_equal(r, -EBADMSG);
                        assert_int_equal(n, 0);
                }
        }

        set_nlmsg_len(buf, UINT32_MAX);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);
        set_nlmsg_len(buf, UINT32_MAX - NLMSG_ALIGNTO + 2);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);

        /* A lie in the second message costs only the second event. */
        set_nlmsg_len(buf, len);
        second = len;
        len = put_event(buf, second, &exec_ev);
        set_nlmsg_len(buf + second, (uint32_t) len);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);
        assert_int_equal(n, 1);
        set_nlmsg_len(buf + second, NLMSG_HDRLEN - 1);
        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);
        assert_int_equal(n, 1);
}

static void test_cn_len_lies(void **state) {
        uint8_t buf[DGRAM_MAX];
        ProcEvent e[4];
        size_t len, n;

        len = put_event(buf, 0, &fork_ev);
        for (uint32_t l = 0; l <= UINT16_MAX; l++) {
                int r;

                set_cn_len(buf, (uint16_t) l);
                r = decode(buf, len, e, ELEMENTSOF(e), &n);
                assert_int_equal(r, l == sizeof(struct proc_event) ? 0 : -EBADMSG);
        }

        /* Bytes that cn.len does not account for are not tolerated either. */
        for (size_t extra = 1; extra <= NLMSG_ALIGNTO; extra++) {
                uint8_t payload[sizeof(struct cn_msg) + sizeof(struct proc_event) + NLMSG_ALIGNTO] = {};
                struct cn_msg cn = {
                        .id = { .idx = CN_IDX_PROC, .val = CN_VAL_PROC },
                        .len = sizeof(struct proc_event),
                };

                memcpy(payload, &cn, sizeof(cn));
                memcpy(payload + sizeof(cn), &exec_ev, sizeof(exec_ev));
                len = put_nlmsg(buf, 0, NLMSG_DONE, payload, sizeof(cn) + sizeof(exec_ev) + extra);
                assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n), -EBADMSG);
                assert_int_equal(n, 0);
        }
}

static void test_payload_size_per_kind(void **state) {
        static const struct {
                uint32_t what;
                size_t need;
        } table[] = {
                { PROC_EVENT_NONE, 20 },
                { PROC_EVENT_FORK, 32 },
                { PROC_EVENT_EXEC, 24 },
                { PROC_EVENT_UID, 32 },
                { PROC_EVENT_GID, 32 },
                { PROC_EVENT_SID, 24 },
                { PROC_EVENT_PTRACE, 32 },
                { PROC_EVENT_COMM, 40 },
                { PROC_EVENT_COREDUMP, 32 },
                { PROC_EVENT_EXIT, 40 },
        };
        uint8_t buf[DGRAM_MAX];
        ProcEvent e[2];
        size_t len, n;

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                struct proc_event ev = {};

                memcpy(&ev.what, &table[i].what, sizeof(table[i].what));
                for (size_t size = 0; size <= sizeof(ev); size++) {
                        len = put_cn(buf, 0, CN_IDX_PROC, CN_VAL_PROC, 0, &ev, size);
                        assert_int_equal(decode(buf, len, e, ELEMENTSOF(e), &n),
                                         size >= table[i].need ? 0 : -EBADMSG);
                        assert_int_equal(n, size >= table[i].need ? 1 : 0);
                }
        }
}

static void test_trailing_garbage(void **state) {
        uint8_t buf[DGRAM_MAX];
        ProcEvent e[4];
        size_t len, n;

        len = put_event(buf, 0, &fork_ev);
        memset(buf + len, 0, NLMSG_HDRLEN - 1);
        assert_int_equal(decode(buf, len + NLMSG_HDRLEN - 1, e, ELEMENTSOF(e), &n), -EBADMSG);
        assert_int_equal(n, 1);
}

static void test_unaligned_buffer(void **state) {
        _Alignas(8) uint8_t buf[DGRAM_MAX + 8];
        ProcEvent e[4];
        size_t n;

        for (size_t shift = 1; shift < 8; shift++) {
                size_t len = put_event(buf + shift, 0, &fork_ev);

                len = put_event(buf + shift, len, &exec_ev);
                assert_int_equal(proc_events_decode(buf + shift, len, e, ELEMENTSOF(e), &n), 0);
                assert_int_equal(n, 2);
                assert_int_equal(e[0].pid, 2);
        }
}

static void test_invalid_arguments(void **state) {
        uint8_t buf[DGRAM_MAX];
        ProcEvent e[1];
        size_t len, n = 99;

        len = put_event(buf, 0, &fork_ev);
        assert_int_equal(proc_events_decode(buf, len, e, 1, NULL), -EINVAL);
        assert_int_equal(proc_events_decode(NULL, len, e, 1, &n), -EINVAL);
        assert_int_equal(n, 0);
        assert_int_equal(proc_events_decode(buf, len, NULL, 1, &n), -EINVAL);
        assert_int_equal(proc_events_decode(NULL, 0, NULL, 0, &n), 0);
        assert_int_equal(n, 0);

        assert_int_equal(proc_events_receive(-1, e, 1, &n), -EBADF);
        assert_int_equal(proc_events_receive(-1, e, 1, NULL), -EINVAL);
        assert_int_equal(proc_events_open(0, NULL), -EINVAL);
        assert_int_equal(proc_events_close(-1), -EBADF);
}

/* Live tests against the kernel. */

static int64_t now_ms(void) {
        struct timespec ts;

        assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_or_skip(void) {
        int fd = -EBADF, r;

        r = proc_events_open(4 * 1024 * 1024, &fd);
        if (r == -EPERM || r == -EACCES || r == -EPROTONOSUPPORT || r == -ETIMEDOUT) {
                print_message("skipping: cannot subscribe to proc events: %s\n", strerror(-r));
                skip();
        }
        assert_int_equal(r, 0);
        assert_true(fd >= 0);
        return fd;
}

/* Waits up to LIVE_TIMEOUT_MS for an event of the given kind about pid. */
static bool wait_for_event(int fd, ProcEventKind kind, pid_t pid, ProcEvent *ret) {
        int64_t deadline = now_ms() + LIVE_TIMEOUT_MS;

        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int64_t left = deadline - now_ms();
                ProcEvent e[4];
                size_t n;
                int r;

                if (left <= 0)
                        return false;

                r = proc_events_receive(fd, e, ELEMENTSOF(e), &n);
                if (r == -EAGAIN) {
                        assert_true(poll(&pfd, 1, (int) left) >= 0 || errno == EINTR);
                        continue;
                }
                if (r == -ENOBUFS) {
                        print_message("proc connector socket overflowed, continuing\n");
                        continue;
                }
                assert_int_equal(r, 0);

                for (size_t i = 0; i < n; i++)
                        if (e[i].kind == kind && e[i].pid == pid) {
                                *ret = e[i];
                                return true;
                        }
        }
}

static void test_live_exec(void **state) {
        int fd = open_or_skip(), status;
        ProcEvent e;
        pid_t pid;

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                execl("/bin/true", "true", (char *) NULL);
                _exit(127);
        }

        assert_true(wait_for_event(fd, PROC_EVENT_KIND_EXEC, pid, &e));
        assert_int_equal(e.tgid, pid);
        assert_true(e.timestamp_ns > 0);

        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        assert_int_equal(proc_events_close(fd), -EBADF);
}

static void test_live_comm_and_exit(void **state) {
        int fd = open_or_skip(), status;
        ProcEvent e;
        pid_t pid;

        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (prctl(PR_SET_NAME, "pe-test-comm", 0, 0, 0) < 0)
                        _exit(126);
                _exit(3);
        }

        assert_true(wait_for_event(fd, PROC_EVENT_KIND_COMM, pid, &e));
        assert_int_equal(e.tgid, pid);
        assert_string_equal(e.comm, "pe-test-comm");

        assert_true(wait_for_event(fd, PROC_EVENT_KIND_EXIT, pid, &e));
        assert_true(WIFEXITED(e.exit_code));
        assert_int_equal(WEXITSTATUS(e.exit_code), 3);
        assert_int_equal(e.exit_signal, SIGCHLD);
        assert_int_equal(e.parent_tgid, getpid());

        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_int_equal(proc_events_close(fd), -EBADF);
}

static int spoof_to(int fd, const struct sockaddr_nl *target) {
        struct proc_event fake = {
                .what = PROC_EVENT_EXEC,
                .event_data.exec = { .process_pid = 0x3ffffff0, .process_tgid = 0x3ffffff0 },
        };
        _cleanup_close_ int spoofer = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
        uint8_t buf[DGRAM_MAX];
        size_t len;

        assert_true(spoofer >= 0);
        len = put_event(buf, 0, &fake);
        if (sendto(spoofer, buf, len, 0, (const struct sockaddr *) target, sizeof(*target)) < 0)
                return -errno;
        return 0;
}

static void test_live_spoof_refused(void **state) {
        int fd = open_or_skip();
        struct sockaddr_nl target = {};
        socklen_t salen = sizeof(target);

        assert_int_equal(getsockname(fd, (struct sockaddr *) &target, &salen), 0);
        target.nl_groups = 0;

        /* The socket is connected to the kernel, so the kernel itself turns
         * away unicasts from anyone else. */
        assert_int_equal(spoof_to(fd, &target), -ECONNREFUSED);
        assert_int_equal(proc_events_close(fd), -EBADF);
}

static void test_live_foreign_sender_dropped(void **state) {
        /* Unconnected and in no group: only the spoofer's unicast arrives. */
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
        struct sockaddr_nl target = { .nl_family = AF_NETLINK };
        socklen_t salen = sizeof(target);
        ProcEvent e[4];
        size_t n;
        int r;

        if (fd < 0 && errno == EPROTONOSUPPORT) {
                print_message("skipping: no netlink connector: %m\n");
                skip();
        }
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &target, sizeof(target)), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &target, &salen), 0);

        assert_int_equal(proc_events_receive(fd, e, ELEMENTSOF(e), &n), -EAGAIN);
        r = spoof_to(fd, &target);
        if (r == -EPERM) {
                print_message("skipping: sending to a proc connector socket needs CAP_NET_ADMIN: %s\n", strerror(-r));
                skip();
        }
        assert_int_equal(r, 0);
        assert_int_equal(proc_events_receive(fd, e, ELEMENTSOF(e), &n), -EPERM);
        assert_int_equal(n, 0);
        assert_int_equal(proc_events_receive(fd, e, ELEMENTSOF(e), &n), -EAGAIN);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kind_to_string),
                cmocka_unit_test(test_decode_fork),
                cmocka_unit_test(test_decode_exec),
                cmocka_unit_test(test_decode_uid_gid),
                cmocka_unit_test(test_decode_sid_ptrace_coredump),
                cmocka_unit_test(test_decode_comm),
                cmocka_unit_test(test_decode_exit),
                cmocka_unit_test(test_decode_ack),
                cmocka_unit_test(test_two_messages),
                cmocka_unit_test(test_noop_and_other_types_skipped),
                cmocka_unit_test(test_nlmsg_error),
                cmocka_unit_test(test_overrun),
                cmocka_unit_test(test_wrong_connector_id),
                cmocka_unit_test(test_unknown_what_skipped),
                cmocka_unit_test(test_truncated_at_every_length),
                cmocka_unit_test(test_nlmsg_len_lies),
                cmocka_unit_test(test_cn_len_lies),
                cmocka_unit_test(test_payload_size_per_kind),
                cmocka_unit_test(test_trailing_garbage),
                cmocka_unit_test(test_unaligned_buffer),
                cmocka_unit_test(test_invalid_arguments),
                cmocka_unit_test(test_live_exec),
                cmocka_unit_test(test_live_comm_and_exit),
                cmocka_unit_test(test_live_spoof_refused),
                cmocka_unit_test(test_live_foreign_sender_dropped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
