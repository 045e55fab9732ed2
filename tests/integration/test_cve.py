"""One test class per known ZooKeeper CVE class, named by its CVE, plus the jute length and
allocation limits. Each runs against the target server and, where Apache ZooKeeper 3.8.0
(Debian's) has the fix, against ZooKeeper too (the *_ZooKeeper38 twins at the bottom).

CVE-2024-51504 runs against paddockd only: ZooKeeper 3.8's admin server has no
authentication to bypass. CVE-2023-44981 and CVE-2018-8012 (quorum peers authenticate and
must be members) need whole ensembles: they are in test_ensemble_sasl.py."""

import base64
import hashlib
import os
import socket
import struct
import threading
import time
import unittest

from harness import servers
from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until

PERM_READ, PERM_WRITE, PERM_CREATE, PERM_DELETE, PERM_ADMIN = 1, 2, 4, 8, 16
PERSISTENT_RECURSIVE = 1  # AddWatchMode


def digest(user, password):
    h = hashlib.sha1(("%s:%s" % (user, password)).encode()).digest()
    return "%s:%s" % (user, base64.b64encode(h).decode())


class Case(ServerTestCase):
    """A ServerTestCase whose server kind a twin class can set."""
    kind = None  # None: PADDOCK_TEST_TARGET

    @classmethod
    def setUpClass(cls):
        cls.server = servers.make_server(cfg=dict(cls.server_cfg), props=dict(cls.server_props),
                                         kind=cls.kind)

    def is_paddock(self):
        return (self.kind or servers.target()) == "paddock"

    def authed(self, user, password):
        c = self.wire()
        self.assertEqual(c.add_auth("digest", ("%s:%s" % (user, password)).encode())[0], 0)
        return c

    def assert_server_healthy(self):
        w = self.wire()
        p = self.unique("healthy")
        self.assertEqual(w.create(p, b"ok"), (0, p))
        self.assertEqual(w.get_data(p)[1][0], b"ok")


class CVE_2019_0201_GetAclShowsDigestsOnlyToReaders(Case):
    """ZOOKEEPER-1392: getACL needs READ or ADMIN; without ADMIN, digest ids come back as
    "user:x" so that a reader cannot brute-force the password hashes offline."""

    def make_node(self, acl):
        owner = self.authed("alice", "pw")
        p = self.unique()
        self.assertEqual(owner.create(p, b"s", acl=acl)[0], 0)
        return owner, p

    def test_a_client_with_neither_read_nor_admin_gets_noauth(self):
        _, p = self.make_node([(31, "digest", digest("alice", "pw")),
                               (PERM_WRITE, "world", "anyone")])
        err, _ = self.wire().get_acl(p)
        self.assertEqual(err, z.NOAUTH)

    def test_a_reader_without_admin_sees_digests_masked(self):
        _, p = self.make_node([(31, "digest", digest("alice", "pw")),
                               (PERM_READ, "world", "anyone")])
        err, (acl, _) = self.wire().get_acl(p)
        self.assertEqual(err, 0)
        self.assertEqual(sorted(acl), sorted([(31, "digest", "alice:x"),
                                              (PERM_READ, "world", "anyone")]))

    def test_a_wrong_password_is_a_reader_not_an_admin(self):
        _, p = self.make_node([(31, "digest", digest("alice", "pw")),
                               (PERM_READ, "world", "anyone")])
        err, (acl, _) = self.authed("alice", "guess").get_acl(p)
        self.assertEqual(err, 0)
        self.assertIn((31, "digest", "alice:x"), acl)

    def test_the_admin_sees_the_digests(self):
        owner, p = self.make_node([(31, "digest", digest("alice", "pw")),
                                   (PERM_READ, "world", "anyone")])
        err, (acl, _) = owner.get_acl(p)
        self.assertEqual(err, 0)
        self.assertIn((31, "digest", digest("alice", "pw")), acl)

    def test_admin_alone_is_enough_to_see_the_digests(self):
        bob = digest("bob", "pw")
        _, p = self.make_node([(31, "digest", digest("alice", "pw")), (PERM_ADMIN, "digest", bob)])
        err, (acl, _) = self.authed("bob", "pw").get_acl(p)
        self.assertEqual(err, 0)
        self.assertIn((31, "digest", digest("alice", "pw")), acl)


class CVE_2024_23944_PersistentWatchesRevealOnlyReadableChildren(Case):
    """ZOOKEEPER-4799: a persistent recursive watch on a parent must not deliver events for
    descendants the watcher cannot READ (their paths are information). Fixed upstream in
    3.8.4; Debian's 3.8.0-11+deb12u2 carries the fix, so it runs against ZooKeeper too."""

    def test_events_for_unreadable_descendants_are_not_delivered(self):
        owner = self.authed("alice", "pw")
        secret_acl = [(31, "digest", digest("alice", "pw"))]
        p = self.unique()
        self.assertEqual(owner.create(p)[0], 0)
        watcher = self.wire()
        self.assertEqual(watcher.add_watch(p, PERSISTENT_RECURSIVE)[0], 0)

        self.assertEqual(owner.create(p + "/secret-child", b"x", acl=secret_acl)[0], 0)
        self.assertEqual(owner.set_data(p + "/secret-child", b"y")[0], 0)
        self.assertEqual(owner.create(p + "/secret-child/deeper", acl=secret_acl)[0], 0)
        self.assertEqual(owner.delete(p + "/secret-child/deeper")[0], 0)
        self.assertEqual(owner.delete(p + "/secret-child")[0], 0)
        # A readable child after them: its event proves the watch works and, since events
        # arrive in order, that nothing about the secret ones came before it.
        self.assertEqual(owner.create(p + "/public")[0], 0)
        events = watcher.wait_events(1)
        self.assertEqual([(e.type, e.path) for e in events], [(1, p + "/public")])
        self.assertEqual(watcher.no_more_events(), [])

    def test_a_node_made_unreadable_stops_reporting(self):
        owner = self.authed("alice", "pw")
        p = self.unique()
        self.assertEqual(owner.create(p)[0], 0)
        self.assertEqual(owner.create(p + "/c", b"v")[0], 0)
        watcher = self.wire()
        self.assertEqual(watcher.add_watch(p, PERSISTENT_RECURSIVE)[0], 0)
        self.assertEqual(owner.set_acl(p + "/c", [(31, "digest", digest("alice", "pw"))])[0], 0)
        self.assertEqual(owner.set_data(p + "/c", b"changed")[0], 0)
        self.assertEqual(owner.set_data(p, b"parent")[0], 0)
        events = watcher.wait_events(1)
        self.assertEqual([(e.type, e.path) for e in events], [(3, p)])  # NodeDataChanged
        self.assertEqual(watcher.no_more_events(), [])


class CVE_2017_5637_WatchListingsCannotStallTheServer(Case):
    """wchp and wchc walk every watch (ZOOKEEPER-2693): a client holding many watches and
    someone polling wchp/wchc in a loop must not stall other clients. The bound is generous
    (a stall is seconds; a served request is milliseconds), the point being that requests
    keep being answered all the while. Paddock copies watches in pieces of 4096 between
    requests (docs/architecture.md, "Introspection answers from counters").
    ZooKeeper's fix for this CVE is to leave wchp/wchc out of its default 4lw whitelist;
    enabled (as the harness does), 3.8.0 stalls: one write+read took 3.9 s here, 10 in 8 s.
    So there is no ZooKeeper twin of this class.

    Paddock groups and formats these listings on a worker thread of their own, never on the
    network threads that serve every client (it did until this test found it: 1.7 s per wchp
    over 30,000 watches on a loaded host held a write+read for up to 4.7 s)."""

    WATCHES = 30000
    POLL_SECONDS = 8.0
    LATENCY_BOUND_S = 2.0

    def test_other_clients_are_served_while_wchp_and_wchc_loop(self):
        holder = self.wire()
        paths = ["/cve5637/w%06d" % i for i in range(self.WATCHES)]
        # exist watches on missing nodes are real watches: one SetWatches frame arms them all.
        for i in range(0, len(paths), 10000):
            self.assertEqual(holder.set_watches(0, exist=paths[i:i + 10000])[0], 0)
        wchs = self.server.four_letter("wchs")
        self.assertIn("%d" % self.WATCHES, wchs.replace(" ", ""), wchs)

        stop = threading.Event()
        polls = [0]

        def poll():
            while not stop.is_set():
                for cmd in ("wchp", "wchc"):
                    try:
                        self.server.four_letter(cmd)
                        polls[0] += 1
                    except OSError:
                        pass

        pollers = [threading.Thread(target=poll, daemon=True) for _ in range(2)]
        for t in pollers:
            t.start()
        try:
            client = self.wire()
            p = self.unique()
            self.assertEqual(client.create(p)[0], 0)
            worst, ops = 0.0, 0
            end = time.monotonic() + self.POLL_SECONDS
            while time.monotonic() < end:
                t0 = time.monotonic()
                self.assertEqual(client.set_data(p, b"%d" % ops)[0], 0)
                self.assertEqual(client.get_data(p)[0], 0)
                worst = max(worst, time.monotonic() - t0)
                ops += 1
        finally:
            stop.set()
            for t in pollers:
                t.join(30)
        self.assertGreater(polls[0], 4, "the listings were not being polled")
        self.assertLess(worst, self.LATENCY_BOUND_S,
                        "a write+read took %.2fs while wchp/wchc looped (%d ops, %d polls)"
                        % (worst, ops, polls[0]))
        self.assertEqual(holder.exists("/")[0], 0)  # the watch holder is still served


class JuteLengthAndAllocationLimits(Case):
    """Lengths and counts from the wire are claims: a frame past jute.maxbuffer closes that
    connection; a record whose inner lengths or vector counts claim more than the frame holds
    is refused with MARSHALLINGERROR (as ZooKeeper does) or closes the connection; never is the
    claimed size allocated (paddockd's peak virtual memory is checked), and every other
    client is served throughout."""

    HUGE = 0x7FFFFFF0

    def vm_peak_kb(self):
        with open("/proc/%d/status" % self.server.proc.pid) as f:
            for line in f:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1])
        raise AssertionError("no VmPeak")

    def assert_closed(self, c, timeout=10):
        with self.assertRaises((z.ConnectionClosed, ConnectionResetError, BrokenPipeError)):
            while True:
                c.recv_packet(timeout)

    def refused_or_closed(self, c, op, body):
        """Sends a request; returns its error code, or "closed"."""
        try:
            return c.call(op, body).err
        except (z.ConnectionClosed, ConnectionResetError, BrokenPipeError):
            return "closed"

    def setUp(self):
        self.bystander = self.wire()
        self.peak_before = self.vm_peak_kb() if self.is_paddock() else None

    def tearDown(self):
        self.assertEqual(self.bystander.exists("/")[0], 0, "another client lost its service")
        self.assert_server_healthy()
        if self.peak_before is not None:
            grown_mb = (self.vm_peak_kb() - self.peak_before) / 1024
            self.assertLess(grown_mb, 256, "peak virtual memory grew %.0f MiB" % grown_mb)

    def test_a_frame_longer_than_jute_maxbuffer_closes_only_that_connection(self):
        for length in (0xfffff + 4096 + 1, 64 << 20, self.HUGE, -1, -0x7fffffff):
            for handshake in (True, False):
                c = self.wire(handshake=handshake)
                c.send_raw(struct.pack(">i", length) + b"\0" * 512)
                self.assert_closed(c)

    def test_inner_lengths_past_the_frame_are_refused(self):
        c = self.wire()
        cases = [
            ("create", struct.pack(">i", self.HUGE) + b"/a"),                    # path
            ("create", z.W().string("/a").bytes() + struct.pack(">i", self.HUGE) + b"d"),  # data
            ("setData", z.W().string("/").bytes() + struct.pack(">i", self.HUGE) + b"x"),
            ("getData", struct.pack(">i", self.HUGE)),
        ]
        for op, body in cases:
            self.assertIn(self.refused_or_closed(c, op, body), (z.MARSHALLINGERROR, "closed"), op)
            if not self.is_paddock():
                c = self.wire()

    def test_vectors_claiming_huge_counts_are_refused(self):
        c = self.wire()
        huge_acl = z.W().string(self.unique()).buf(b"").bytes() + struct.pack(">i", self.HUGE)
        cases = [
            ("create", huge_acl + struct.pack(">i", 0)),
            ("setACL", z.W().string("/").bytes() + struct.pack(">i", self.HUGE)),
            ("multi", struct.pack(">i", 1) + b"\0" + struct.pack(">i", -1)
             + z.W().string("/x").buf(b"").bytes() + struct.pack(">i", self.HUGE)),
        ]
        for op, body in cases:
            self.assertIn(self.refused_or_closed(c, op, body), (z.MARSHALLINGERROR, "closed"), op)
            if not self.is_paddock():
                c = self.wire()
        # SetWatches: three path vectors; a huge count with nothing behind it.
        body = struct.pack(">q", 0) + struct.pack(">i", self.HUGE)
        c2 = self.wire()
        try:
            err = c2.wait_reply(c2.send(z.OP["setWatches"], body, xid=-8)).err
        except (z.ConnectionClosed, ConnectionResetError, BrokenPipeError):
            err = "closed"
        self.assertIn(err, (z.MARSHALLINGERROR, "closed"))

    def test_a_handshake_claiming_a_huge_password_closes_the_connection(self):
        c = self.wire(handshake=False)
        body = struct.pack(">iqiq", 0, 0, 30000, 0) + struct.pack(">i", self.HUGE) + b"p" * 16
        c.send_raw(z.frame(body))
        self.assert_closed(c)

    def test_many_connections_of_hostile_claims_leave_the_server_serving(self):
        refused = 0
        for i in range(200):
            try:
                s = socket.create_connection(self.server.address, timeout=5)
            except OSError:
                # A server may shed a hostile peer before connect() returns (ZooKeeper 3.8
                # under CI load reset one: EPIPE from connect). That is the server
                # protecting itself; what must hold is that the bystander is served.
                refused += 1
                continue
            try:
                s.sendall(z.frame(z.connect_request()) +
                          z.frame(struct.pack(">ii", 1, z.OP["setACL"]) +
                                  z.W().string("/").bytes() + struct.pack(">i", self.HUGE)))
            except OSError:
                pass
            s.close()
        self.assertLess(refused, 200, "no hostile connection was ever accepted")
        self.assertEqual(self.bystander.exists("/")[0], 0)


@unittest.skipIf(servers.target() != "paddock",
                 "ZooKeeper 3.8's admin server has no authentication to bypass")
class CVE_2024_51504_AdminAuthIgnoresForwardedHeaders(Case):
    """The admin server's ip identity is the TCP peer's address: a request from 127.0.0.1
    that claims an allowed address in X-Forwarded-For (or any other header a proxy adds)
    is still 127.0.0.1, and is refused when only the claimed address may administer."""

    @classmethod
    def setUpClass(cls):
        cls.admin_port = servers.free_port()
        cls.server_cfg = {"admin.enableServer": "true", "admin.serverAddress": "127.0.0.1",
                          "admin.serverPort": cls.admin_port}
        super().setUpClass()

    def get(self, headers):
        import urllib.error
        import urllib.request
        req = urllib.request.Request("http://127.0.0.1:%d/commands/connections"
                                     % self.admin_port, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def test_a_spoofed_forwarded_address_is_not_the_requests_address(self):
        admin = self.authed("admin", "secret")
        trusted = [(PERM_READ | PERM_WRITE | PERM_CREATE | PERM_DELETE | PERM_ADMIN, "digest",
                    digest("admin", "secret")),
                   (PERM_ADMIN, "ip", "10.20.30.40")]
        self.assertEqual(admin.set_acl("/", trusted, -1)[0], 0)
        try:
            for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded", "True-Client-IP"):
                value = "for=10.20.30.40" if header == "Forwarded" else "10.20.30.40"
                self.assertEqual(self.get({header: value}), 401, header)
            self.assertEqual(self.get({"Authorization": "digest admin:secret"}), 200)
        finally:
            admin.set_acl("/", [(31, "world", "anyone")], -1)
        self.assertEqual(self.get({}), 200)
        self.assert_server_healthy()


def _zookeeper_twin(cls):
    name = cls.__name__ + "_ZooKeeper38"
    twin = type(name, (cls,), {"kind": "zookeeper", "__doc__": cls.__doc__})
    globals()[name] = twin


# Debian's ZooKeeper 3.8.0 has these fixes: the same tests, against it too.
if servers.target() == "paddock":
    for _c in (CVE_2019_0201_GetAclShowsDigestsOnlyToReaders,
               CVE_2024_23944_PersistentWatchesRevealOnlyReadableChildren,
               JuteLengthAndAllocationLimits):
        _zookeeper_twin(_c)
    del _c  # or unittest would run the last class twice


if __name__ == "__main__":
    main()
