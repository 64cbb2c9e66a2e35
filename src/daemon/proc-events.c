/* SPDX-License-Identifier: MIT */
#include "daemon/proc-events.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include "shared/macro.h"
#include "shared/time-util.h"

/* Room for any connector message (CONNECTOR_MAX_MSG_SIZE is the kernel's cap
 * on the payload); proc connector datagrams are under 100 bytes. */
#define RECEIVE_BUFFER_SIZE 8192

/* The kernel answers synchronously while handling our request, so the ack
 * is normally queued before sendto() returns; the timeout only has to cover
 * the case where no answer will ever come. */
#define SUBSCRIBE_TIMEOUT_MS 1000
#define SUBSCRIBE_MAX_SENDS 4

#define PROC_EVENT_HEADER_SIZE offsetof(struct proc_event, event_data)
#define PROC_EVENT_SIZE(payload) (PROC_EVENT_HEADER_SIZE + sizeof(payload))

static const char *const proc_event_kind_table[_PROC_EVENT_KIND_MAX] = {
        [PROC_EVENT_KIND_FORK] = "fork",
        [PROC_EVENT_KIND_EXEC] = "exec",
        [PROC_EVENT_KIND_UID] = "uid",
        [PROC_EVENT_KIND_GID] = "gid",
        [PROC_EVENT_KIND_SID] = "sid",
        [PROC_EVENT_KIND_COMM] = "comm",
        [PROC_EVENT_KIND_EXIT] = "exit",
        [PROC_EVENT_KIND_PTRACE] = "ptrace",
        [PROC_EVENT_KIND_COREDUMP] = "coredump",
        [PROC_EVENT_KIND_ACK] = "ack",
};

const char *proc_event_kind_to_string(ProcEventKind k) {
        if (k < 0 || k >= _PROC_EVENT_KIND_MAX)
                return NULL;
        return proc_event_kind_table[k];
}

/* Minimum payload each known `what` needs; 0 for types we don't decode. The
 * kernel always sends a whole struct proc_event, so demanding the full member
 * costs nothing and keeps every field read below in bounds. */
static size_t proc_event_min_size(uint32_t what) {
        switch (what) {
        case PROC_EVENT_NONE:
                return PROC_EVENT_SIZE(uint32_t);
        case PROC_EVENT_FORK:
                return PROC_EVENT_SIZE(struct fork_proc_event);
        case PROC_EVENT_EXEC:
                return PROC_EVENT_SIZE(struct exec_proc_event);
        case PROC_EVENT_UID:
        case PROC_EVENT_GID:
                return PROC_EVENT_SIZE(struct id_proc_event);
        case PROC_EVENT_SID:
                return PROC_EVENT_SIZE(struct sid_proc_event);
        case PROC_EVENT_PTRACE:
                return PROC_EVENT_SIZE(struct ptrace_proc_event);
        case PROC_EVENT_COMM:
                return PROC_EVENT_SIZE(struct comm_proc_event);
        case PROC_EVENT_COREDUMP:
                return PROC_EVENT_SIZE(struct coredump_proc_event);
        case PROC_EVENT_EXIT:
                return PROC_EVENT_SIZE(struct exit_proc_event);
        default:
                return 0;
        }
}

/* Returns 1 and fills *ret for a known event, 0 for one to skip, -EBADMSG. */
static int decode_proc_event(const uint8_t *data, size_t size, uint32_t cn_ack, ProcEvent *ret) {
        struct proc_event ev = {};
        uint32_t what;
        size_t need;

        if (size < PROC_EVENT_HEADER_SIZE)
                return -EBADMSG;

        /* Copy out instead of casting: the caller's buffer may be unaligned. */
        memcpy(&what, data + offsetof(struct proc_event, what), sizeof(what));
        need = proc_event_min_size(what);
        if (need == 0)
                return 0; /* Newer kernel, newer event type: not our business. */
        if (size < need)
                return -EBADMSG;
        memcpy(&ev, data, MIN(size, sizeof(ev)));

        *ret = (ProcEvent) {
                .timestamp_ns = ev.timestamp_ns,
                .cpu = (int) ev.cpu,
        };

        switch (what) {
        case PROC_EVENT_NONE:
                ret->kind = PROC_EVENT_KIND_ACK;
                /* The kernel sends a positive errno. */
                ret->ack_err = ev.event_data.ack.err == 0 ? 0 :
                        -(int) MIN(ev.event_data.ack.err, (uint32_t) INT_MAX);
                ret->ack_cookie = cn_ack;
                break;
        case PROC_EVENT_FORK:
                ret->kind = PROC_EVENT_KIND_FORK;
                ret->pid = ev.event_data.fork.child_pid;
                ret->tgid = ev.event_data.fork.child_tgid;
                ret->parent_pid = ev.event_data.fork.parent_pid;
                ret->parent_tgid = ev.event_data.fork.parent_tgid;
                break;
        case PROC_EVENT_EXEC:
                ret->kind = PROC_EVENT_KIND_EXEC;
                ret->pid = ev.event_data.exec.process_pid;
                ret->tgid = ev.event_data.exec.process_tgid;
                break;
        case PROC_EVENT_UID:
                ret->kind = PROC_EVENT_KIND_UID;
                ret->pid = ev.event_data.id.process_pid;
                ret->tgid = ev.event_data.id.process_tgid;
                ret->ruid = ev.event_data.id.r.ruid;
                ret->euid = ev.event_data.id.e.euid;
                break;
        case PROC_EVENT_GID:
                ret->kind = PROC_EVENT_KIND_GID;
                ret->pid = ev.event_data.id.process_pid;
                ret->tgid = ev.event_data.id.process_tgid;
                ret->rgid = ev.event_data.id.r.rgid;
                ret->egid = ev.event_data.id.e.egid;
                break;
        case PROC_EVENT_SID:
                ret->kind = PROC_EVENT_KIND_SID;
                ret->pid = ev.event_data.sid.process_pid;
                ret->tgid = ev.event_data.sid.process_tgid;
                break;
        case PROC_EVENT_PTRACE:
                ret->kind = PROC_EVENT_KIND_PTRACE;
                ret->pid = ev.event_data.ptrace.process_pid;
                ret->tgid = ev.event_data.ptrace.process_tgid;
                ret->tracer_pid = ev.event_data.ptrace.tracer_pid;
                ret->tracer_tgid = ev.event_data.ptrace.tracer_tgid;
                break;
        case PROC_EVENT_COMM:
                ret->kind = PROC_EVENT_KIND_COMM;
                ret->pid = ev.event_data.comm.process_pid;
                ret->tgid = ev.event_data.comm.process_tgid;
                /* The kernel's comm is NUL-terminated within 16 bytes, but
                 * nothing here may rely on what the bytes claim. */
                memcpy(ret->comm, ev.event_data.comm.comm, sizeof(ret->comm) - 1);
                ret->comm[sizeof(ret->comm) - 1] = '\0';
                break;
        case PROC_EVENT_COREDUMP:
                ret->kind = PROC_EVENT_KIND_COREDUMP;
                ret->pid = ev.event_data.coredump.process_pid;
                ret->tgid = ev.event_data.coredump.process_tgid;
                ret->parent_pid = ev.event_data.coredump.parent_pid;
                ret->parent_tgid = ev.event_data.coredump.parent_tgid;
                break;
        case PROC_EVENT_EXIT:
                ret->kind = PROC_EVENT_KIND_EXIT;
                ret->pid = ev.event_data.exit.process_pid;
                ret->tgid = ev.event_data.exit.process_tgid;
                ret->exit_code = (int) ev.event_data.exit.exit_code;
                ret->exit_signal = (int) ev.event_data.exit.exit_signal;
                ret->parent_pid = ev.event_data.exit.parent_pid;
                ret->parent_tgid = ev.event_data.exit.parent_tgid;
                break;
        default:
                return 0; /* Unreachable: proc_event_min_size() knows the same set. */
        }

        return 1;
}

static int decode_cn_msg(const uint8_t *data, size_t size, ProcEvent *ret) {
        struct cn_msg cn;

        if (size < sizeof(cn))
                return -EBADMSG;
        memcpy(&cn, data, sizeof(cn));

        /* We only join CN_IDX_PROC's group: anything else is not for us, and
         * silently accepting it would hide a confused or hostile sender. */
        if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC)
                return -EBADMSG;

        /* Exact, even though old kernels counted alignment padding in
         * nlmsg_len: a cn_msg plus a proc_event is already aligned. */
        if (cn.len != size - sizeof(cn))
                return -EBADMSG;

        return decode_proc_event(data + sizeof(cn), cn.len, cn.ack, ret);
}

int proc_events_decode(const void *buf, size_t len, ProcEvent *events, size_t max_events, size_t *ret_n) {
        const uint8_t *p = buf;
        size_t offset = 0, n = 0;

        if (!ret_n)
                return -EINVAL;
        *ret_n = 0;
        if ((!buf && len > 0) || (!events && max_events > 0))
                return -EINVAL;

        while (offset < len) {
                size_t remaining = len - offset;
                const uint8_t *payload;
                size_t payload_size;
                struct nlmsghdr nh;
                ProcEvent ev;
                int r;

                if (remaining < sizeof(nh))
                        goto bad;
                memcpy(&nh, p + offset, sizeof(nh));
                if (nh.nlmsg_len < NLMSG_HDRLEN || nh.nlmsg_len > remaining)
                        goto bad;

                payload = p + offset + NLMSG_HDRLEN;
                payload_size = nh.nlmsg_len - NLMSG_HDRLEN;

                switch (nh.nlmsg_type) {
                case NLMSG_NOOP:
                        r = 0;
                        break;
                case NLMSG_ERROR: {
                        struct nlmsgerr e;

                        if (payload_size < sizeof(e))
                                goto bad;
                        memcpy(&e, payload, sizeof(e));
                        if (e.error != 0) {
                                *ret_n = n;
                                return -EPROTO;
                        }
                        r = 0; /* A plain netlink ack. */
                        break;
                }
                case NLMSG_OVERRUN:
                        *ret_n = n;
                        return -ENOBUFS;
                case NLMSG_DONE:
                        /* The connector sends every message as a one-part
                         * "multipart" reply, so DONE is the normal carrier. */
                        r = decode_cn_msg(payload, payload_size, &ev);
                        if (r < 0)
                                goto bad;
                        break;
                default:
                        r = 0; /* The connector uses no other types. */
                        break;
                }

                if (r > 0) {
                        if (n >= max_events) {
                                *ret_n = n;
                                return -ENOSPC;
                        }
                        events[n++] = ev;
                }

                /* The last message need not carry its trailing padding. */
                offset += MIN((size_t) NLMSG_ALIGN(nh.nlmsg_len), remaining);
        }

        *ret_n = n;
        return 0;

bad:
        *ret_n = n;
        return -EBADMSG;
}

static int send_mcast_op(int fd, uint32_t portid, uint32_t cookie, enum proc_cn_mcast_op op) {
        _Alignas(NLMSG_ALIGNTO) uint8_t buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(uint32_t))] = {};
        struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
        struct nlmsghdr nh = {
                .nlmsg_len = NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof(uint32_t)),
                .nlmsg_type = NLMSG_DONE,
                .nlmsg_pid = portid,
        };
        struct cn_msg cn = {
                .id = { .idx = CN_IDX_PROC, .val = CN_VAL_PROC },
                .ack = cookie,
                .len = sizeof(uint32_t),
        };
        uint32_t v = op;

        memcpy(buf, &nh, sizeof(nh));
        memcpy(buf + NLMSG_HDRLEN, &cn, sizeof(cn));
        memcpy(buf + NLMSG_HDRLEN + sizeof(cn), &v, sizeof(v));

        if (sendto(fd, buf, nh.nlmsg_len, 0, (const struct sockaddr *) &kernel, sizeof(kernel)) < 0) {
                /* The protocol is registered globally, but the connector's
                 * kernel socket only exists in the initial netns. */
                if (errno == ECONNREFUSED)
                        return -EPROTONOSUPPORT;
                return negative_errno();
        }
        return 0;
}

/* Errors that concern one datagram only: it was dropped, the socket is fine. */
static bool is_datagram_error(int r) {
        return r == -EBADMSG || r == -EPROTO || r == -ENOSPC || r == -EPERM || r == -EMSGSIZE;
}

/* Returns the kernel's verdict on our request, identified by cookie. */
static int wait_for_ack(int fd, uint32_t portid, uint32_t cookie) {
        uint64_t deadline = now_usec(CLOCK_MONOTONIC) / 1000 + SUBSCRIBE_TIMEOUT_MS;
        unsigned sends = 1;

        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                ProcEvent events[8];
                size_t n = 0;
                uint64_t t;
                int r;

                /* Checked on every round so a flood of other events cannot
                 * keep us here. */
                t = now_usec(CLOCK_MONOTONIC) / 1000;
                if (t >= deadline)
                        return -ETIMEDOUT;

                r = proc_events_receive(fd, events, ELEMENTSOF(events), &n);
                if (r == -EAGAIN) {
                        if (poll(&pfd, 1, (int) (deadline - t)) < 0 && errno != EINTR)
                                return negative_errno();
                        continue;
                }
                if (r == -ENOBUFS) {
                        /* Our ack may have been dropped with the rest. Asking
                         * again is harmless: since 6.6 the kernel tracks
                         * LISTEN per socket, and before that a repeat only
                         * overstated its listener count. */
                        if (sends >= SUBSCRIBE_MAX_SENDS)
                                return -ENOBUFS;
                        r = send_mcast_op(fd, portid, cookie, PROC_CN_MCAST_LISTEN);
                        if (r < 0)
                                return r;
                        sends++;
                        continue;
                }
                if (r < 0 && !is_datagram_error(r))
                        return r;

                /* A datagram that went bad part-way may still carry our ack
                 * before the bad part. */
                for (size_t i = 0; i < n; i++)
                        if (events[i].kind == PROC_EVENT_KIND_ACK && events[i].ack_cookie == cookie + 1)
                                return events[i].ack_err;
        }
}

static int socket_portid(int fd, uint32_t *ret) {
        struct sockaddr_nl sa = {};
        socklen_t salen = sizeof(sa);

        if (getsockname(fd, (struct sockaddr *) &sa, &salen) < 0)
                return negative_errno();
        if (salen != sizeof(sa) || sa.nl_family != AF_NETLINK)
                return -EAFNOSUPPORT;
        *ret = sa.nl_pid;
        return 0;
}

int proc_events_open(int rcvbuf_bytes, int *ret_fd) {
        struct sockaddr_nl sa = {
                .nl_family = AF_NETLINK,
                .nl_groups = CN_IDX_PROC,
        }, kernel = {
                .nl_family = AF_NETLINK,
        };
        uint32_t portid;
        int r;

        if (!ret_fd)
                return -EINVAL;

        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
        if (fd < 0)
                return negative_errno();

        /* Before bind(), so the first burst already has the room asked for. */
        if (rcvbuf_bytes > 0 &&
            setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf_bytes, sizeof(rcvbuf_bytes)) < 0) {
                if (errno != EPERM)
                        return negative_errno();
                /* Without CAP_NET_ADMIN: capped at net.core.rmem_max. */
                if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf_bytes, sizeof(rcvbuf_bytes)) < 0)
                        return negative_errno();
        }

        if (bind(fd, (const struct sockaddr *) &sa, sizeof(sa)) < 0)
                return negative_errno();

        /* Any local process may unicast to our port. Connected to the kernel,
         * the socket makes the kernel refuse those (ECONNREFUSED to the
         * sender), while kernel multicasts still arrive. */
        if (connect(fd, (const struct sockaddr *) &kernel, sizeof(kernel)) < 0)
                return negative_errno();

        r = socket_portid(fd, &portid);
        if (r < 0)
                return r;

        /* Acks are multicast to every listener, so tag ours with something
         * unique to this socket: the kernel answers with cookie + 1. */
        r = send_mcast_op(fd, portid, portid, PROC_CN_MCAST_LISTEN);
        if (r < 0)
                return r;

        r = wait_for_ack(fd, portid, portid);
        if (r < 0)
                return r;

        *ret_fd = TAKE_FD(fd);
        return 0;
}

int proc_events_receive(int fd, ProcEvent *events, size_t max_events, size_t *ret_n) {
        _Alignas(8) uint8_t buf[RECEIVE_BUFFER_SIZE];
        struct sockaddr_nl sender = {};
        struct iovec iov = {
                .iov_base = buf,
                .iov_len = sizeof(buf),
        };
        struct msghdr mh = {
                .msg_name = &sender,
                .msg_namelen = sizeof(sender),
                .msg_iov = &iov,
                .msg_iovlen = 1,
        };
        ssize_t k;

        if (!ret_n)
                return -EINVAL;
        *ret_n = 0;
        if (fd < 0)
                return -EBADF;

        do
                k = recvmsg(fd, &mh, MSG_DONTWAIT);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return negative_errno();

        /* Only port 0 is the kernel, and user sockets can never bind it.
         * Needed on top of connect(): root may multicast to the group. */
        if (mh.msg_namelen != sizeof(sender) || sender.nl_family != AF_NETLINK || sender.nl_pid != 0)
                return -EPERM;
        if (mh.msg_flags & MSG_TRUNC)
                return -EMSGSIZE;

        return proc_events_decode(buf, (size_t) k, events, max_events, ret_n);
}

int proc_events_close(int fd) {
        uint32_t portid;

        if (fd < 0)
                return -EBADF;

        /* Closing alone does not drop the kernel's listener count; without
         * this it keeps building events for nobody. */
        if (socket_portid(fd, &portid) >= 0)
                (void) send_mcast_op(fd, portid, portid, PROC_CN_MCAST_IGNORE);

        (void) close(fd);
        return -EBADF;
}
