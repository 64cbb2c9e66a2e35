/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"
#include "inspect/unit-bus.h"
#include "shared/macro.h"

static void check_unit(const char *content, const char *unit, const char *path) {
        _cleanup_free_ char *u = NULL, *p = NULL;

        assert_int_equal(unit_from_proc_cgroup(content, &u, &p), 0);
        assert_string_equal(u, unit);
        assert_string_equal(p, path);
}

static void test_v2(void **state) {
        (void) state;
        check_unit("0::/system.slice/ssh.service\n", "ssh.service", "/system.slice/ssh.service");
        check_unit("0::/user.slice/user-1000.slice/session-2.scope", "session-2.scope",
                   "/user.slice/user-1000.slice/session-2.scope");
        /* A sub-cgroup a service made itself belongs to the service. */
        check_unit("0::/system.slice/containerd.service/sub/leaf\n", "containerd.service",
                   "/system.slice/containerd.service/sub/leaf");
        /* Only slices: the innermost slice. */
        check_unit("0::/kubepods.slice/kubepods-burstable.slice\n", "kubepods-burstable.slice",
                   "/kubepods.slice/kubepods-burstable.slice");
        /* The innermost service or scope, even below another one. */
        check_unit("0::/system.slice/docker-abc.scope/init.scope\n", "init.scope",
                   "/system.slice/docker-abc.scope/init.scope");
}

static void test_v1(void **state) {
        (void) state;
        check_unit("9:name=systemd:/system.slice/ssh.service\n"
                   "4:memory:/system.slice/ssh.service\n"
                   "0::/\n",
                   "ssh.service", "/system.slice/ssh.service");
        /* Hybrid: the named hierarchy wins wherever it is. */
        check_unit("0::/system.slice/cron.service\n"
                   "1:name=systemd:/system.slice/cron.service\n",
                   "cron.service", "/system.slice/cron.service");
}

static void test_no_unit(void **state) {
        char *u = NULL;

        (void) state;
        assert_int_equal(unit_from_proc_cgroup("0::/\n", &u, NULL), -ENOENT);
        assert_int_equal(unit_from_proc_cgroup("4:memory:/foo\n", &u, NULL), -ENOENT);
        assert_int_equal(unit_from_proc_cgroup("", &u, NULL), -ENOENT);
        /* ".service" alone is no unit name. */
        assert_int_equal(unit_from_proc_cgroup("0::/.service\n", &u, NULL), -ENOENT);
        assert_null(u);
}

static void test_malformed(void **state) {
        char *u = NULL;

        (void) state;
        assert_int_equal(unit_from_proc_cgroup("garbage\n", &u, NULL), -EBADMSG);
        assert_int_equal(unit_from_proc_cgroup("x::/a.service\n", &u, NULL), -EBADMSG);
        assert_int_equal(unit_from_proc_cgroup("0::relative.service\n", &u, NULL), -EBADMSG);
        assert_int_equal(unit_from_proc_cgroup("0::\n", &u, NULL), -EBADMSG);
        assert_null(u);
}

static void test_interface_of(void **state) {
        (void) state;
        assert_string_equal(unit_bus_interface_of("ssh.service"), "org.freedesktop.systemd1.Service");
        assert_string_equal(unit_bus_interface_of("session-1.scope"), "org.freedesktop.systemd1.Scope");
        assert_string_equal(unit_bus_interface_of("user.slice"), "org.freedesktop.systemd1.Slice");
        assert_null(unit_bus_interface_of("dev-sda.device"));
        assert_null(unit_bus_interface_of(NULL));
}

static void test_no_bus(void **state) {
        sd_bus *bus = NULL;
        int r;

        (void) state;
        /* Point the client at a socket that cannot exist: a specific negative errno,
         * never a half-open bus. */
        assert_int_equal(setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/oompolicy-test-bus", 1), 0);
        r = unit_bus_open_system(&bus);
        assert_true(r < 0);
        assert_null(bus);
        assert_int_equal(unsetenv("DBUS_SYSTEM_BUS_ADDRESS"), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_v2),
                cmocka_unit_test(test_v1),
                cmocka_unit_test(test_no_unit),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_interface_of),
                cmocka_unit_test(test_no_bus),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
