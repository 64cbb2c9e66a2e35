/* SPDX-License-Identifier: MIT */
#pragma once

/* Process events from the kernel's netlink proc connector (NETLINK_CONNECTOR,
 * CN_IDX_PROC). The decoder is pure and takes untrusted bytes; the socket
 * helpers only accept datagrams sent by the kernel itself. */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum ProcEventKind {
        PROC_EVENT_KIND_FORK,
        PROC_EVENT_KIND_EXEC,
        PROC_EVENT_KIND_UID,
        PROC_EVENT_KIND_GID,
        PROC_EVENT_KIND_SID,
        PROC_EVENT_KIND_COMM,
        PROC_EVENT_KIND_EXIT,
        PROC_EVENT_KIND_PTRACE,
        PROC_EVENT_KIND_COREDUMP,
        /* The kernel's reply to a PROC_CN_MCAST_LISTEN/IGNORE request. It is
         * multicast to every listener, so most ACKs a daemon sees answer
         * other processes' requests: match ack_cookie before trusting one. */
        PROC_EVENT_KIND_ACK,
        _PROC_EVENT_KIND_MAX,
        _PROC_EVENT_KIND_INVALID = -1,
} ProcEventKind;

/* Fields not listed for a kind are 0. Pids are in the initial PID namespace.
 * Events are per task: FORK fires for new threads too and EXIT for every
 * exiting thread, so pid != tgid means "a thread", not "a process". */
typedef struct ProcEvent {
        ProcEventKind kind;
        uint64_t timestamp_ns;          /* CLOCK_MONOTONIC, from the kernel */
        int cpu;
        pid_t pid, tgid;                /* the task the event is about (the child for FORK) */
        pid_t parent_pid, parent_tgid;  /* FORK (the new task's real parent), EXIT, COREDUMP */
        pid_t tracer_pid, tracer_tgid;  /* PTRACE only; 0 when the tracer detached */
        uid_t ruid, euid;               /* UID only */
        gid_t rgid, egid;               /* GID only */
        int exit_code;                  /* EXIT only: wait(2) status encoding */
        int exit_signal;                /* EXIT only: signal sent to the parent, -1 for non-leader threads */
        char comm[16];                  /* COMM only, always NUL-terminated (at most 15 chars) */
        int ack_err;                    /* ACK only: 0 or a negative errno */
        uint32_t ack_cookie;            /* ACK only: the requester's cn_msg.ack + 1 */
} ProcEvent;

const char *proc_event_kind_to_string(ProcEventKind k);

/* Decodes every netlink message of one datagram, in order, into events[].
 * NLMSG_NOOP, netlink acks (NLMSG_ERROR with error 0), messages of other
 * netlink types and proc events of unknown `what` are skipped.
 *
 * Returns 0 when the whole datagram was consumed, otherwise stops at the
 * first problem and returns:
 *   -EBADMSG   malformed netlink/connector/proc_event framing, or a connector
 *              message not addressed to CN_IDX_PROC/CN_VAL_PROC
 *   -ENOBUFS   NLMSG_OVERRUN: the sender lost messages (same remedy as an
 *              overflowing socket: resynchronise from /proc)
 *   -EPROTO    NLMSG_ERROR carrying a non-zero error
 *   -ENOSPC    more events than max_events
 *   -EINVAL    bad arguments (*ret_n is then 0 if ret_n is non-NULL)
 * In every case *ret_n is the number of events stored, all of them from
 * messages that precede the point where decoding stopped. */
int proc_events_decode(const void *buf, size_t len, ProcEvent *events, size_t max_events, size_t *ret_n);

/* Opens a nonblocking, close-on-exec socket subscribed to all process events
 * and waits (at most about a second) for the kernel to confirm the
 * subscription. The socket is connect()ed to the kernel, so the kernel
 * refuses unicasts to it from other processes. rcvbuf_bytes <= 0 keeps the
 * default receive buffer; otherwise SO_RCVBUFFORCE is tried first and
 * SO_RCVBUF (capped by net.core.rmem_max) used without CAP_NET_ADMIN.
 * Events queued before the confirmation are discarded: scan /proc after this
 * returns, not before.
 *
 * Returns 0, or a negative errno:
 *   -EPROTONOSUPPORT  no proc connector here (kernel without CONFIG_PROC_EVENTS,
 *                     or a network namespace other than the initial one)
 *   -EPERM, -EACCES   not allowed (socket/bind, or the kernel's refusal)
 *   -ETIMEDOUT        no confirmation: the kernel silently ignores requests
 *                     from outside the initial user and PID namespaces
 *   -ENOBUFS          the socket kept overflowing before the kernel's
 *                     confirmation could be read
 *   others            from socket(2), setsockopt(2), bind(2), sendto(2),
 *                     or the kernel's refusal (ack error) */
int proc_events_open(int rcvbuf_bytes, int *ret_fd);

/* Receives and decodes at most one queued datagram (never blocks). The kernel
 * puts one event in each datagram, so max_events >= 1 suffices.
 *
 * Returns 0 (possibly with *ret_n == 0, e.g. after a skipped message), any
 * error of proc_events_decode(), or:
 *   -EAGAIN    nothing queued
 *   -ENOBUFS   the socket overflowed and events were lost: rescan /proc
 *   -EPERM     datagram not sent by the kernel; dropped (a spoofing attempt,
 *              by root since the socket from proc_events_open() is
 *              connected to the kernel)
 *   -EMSGSIZE  datagram truncated by the receive buffer; dropped
 *   others     from recvmsg(2) */
int proc_events_receive(int fd, ProcEvent *events, size_t max_events, size_t *ret_n);

/* Tells the kernel this socket stopped listening (best effort, so it can stop
 * generating events once nobody listens) and closes it. Accepts a negative
 * fd. Always returns -EBADF, for "fd = proc_events_close(fd);". */
int proc_events_close(int fd);
