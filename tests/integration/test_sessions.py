"""Sessions: timeout negotiation, ephemerals removed on close and on expiry (a client that
stops talking, a client process killed with -9), resumption after a dropped connection
(through a TCP proxy the test cuts), watches re-armed on reconnect, bad passwords."""

import os
import signal
import subprocess
import sys
import threading
import time

from kazoo.protocol.states import KazooState

from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until
from harness.proxy import Proxy

S = z.SYNC_CONNECTED


class Sessions(ServerTestCase):
    # tickTime 500: session timeouts are clamped to [1000, 10000] ms
    server_cfg = {"tickTime": 500}

    def test_timeout_is_clamped_to_two_and_twenty_ticks(self):
        self.assertEqual(self.wire(timeout_ms=1).negotiated_timeout, 1000)
        self.assertEqual(self.wire(timeout_ms=10 ** 7).negotiated_timeout, 10000)
        self.assertEqual(self.wire(timeout_ms=4000).negotiated_timeout, 4000)

    def test_connect_response_carries_a_session_and_16_byte_password(self):
        w = self.wire()
        self.assertNotEqual(w.session_id, 0)
        self.assertEqual(len(w.passwd), 16)
        self.assertEqual(w.protocol_version, 0)
        self.assertNotEqual(self.wire().session_id, w.session_id)

    def test_close_session_replies_then_closes_and_removes_ephemerals(self):
        c, o = self.wire(), self.wire()
        p = self.unique()
        c.create(p, flags=z.EPHEMERAL)
        o.exists(p, watch=True)
        xid = c.send(z.OP["closeSession"])
        self.assertEqual(c.wait_reply(xid).err, 0)
        with self.assertRaises(z.ConnectionClosed):
            c.recv_packet(5)
        self.assertEqual(o.wait_events(1), [(z.NODE_DELETED, S, p)])
        self.assertEqual(o.exists(p)[0], z.NONODE)

    def test_kazoo_stop_removes_ephemerals(self):
        zk, other = self.kazoo(), self.kazoo()
        p = self.unique()
        zk.create(p, ephemeral=True)
        zk.create(p + "-seq-", ephemeral=True, sequence=True)
        zk.stop()
        self.assertIsNone(other.exists(p))
        self.assertEqual([c for c in other.get_children("/") if c.startswith(p[1:] + "-seq-")],
                         [])

    def test_silent_client_expires_and_its_ephemerals_go(self):
        e, o = self.wire(timeout_ms=1000), self.wire()
        p = self.unique()
        e.create(p, flags=z.EPHEMERAL)
        o.exists(p, watch=True)
        t0 = time.monotonic()
        # e sends nothing more (no pings): the server must expire it
        self.assertEqual(o.wait_events(1, timeout=10), [(z.NODE_DELETED, S, p)])
        self.assertGreater(time.monotonic() - t0, 0.5)
        with self.assertRaises(z.ConnectionClosed):
            e.recv_packet(5)
        # an expired session cannot be resumed: zero timeout, zero session
        r = self.wire(session_id=e.session_id, passwd=e.passwd)
        self.assertEqual((r.session_id, r.negotiated_timeout), (0, 0))
        self.assertEqual(r.passwd, b"\0" * 16)
        with self.assertRaises(z.ConnectionClosed):
            r.recv_packet(5)

    def test_pinging_client_does_not_expire(self):
        e, o = self.wire(timeout_ms=1000), self.wire()
        p = self.unique()
        e.create(p, flags=z.EPHEMERAL)
        deadline = time.monotonic() + 2.5
        while time.monotonic() < deadline:
            self.assertEqual(e.ping().xid, -2)
            time.sleep(0.2)
        self.assertEqual(o.exists(p)[0], 0)

    def test_killed_client_process_expires(self):
        o = self.wire()
        p = self.unique()
        code = ("import sys, time\n"
                "from kazoo.client import KazooClient\n"
                "zk = KazooClient(hosts=%r, timeout=2.0)\n"
                "zk.start(10)\n"
                "zk.create(%r, ephemeral=True)\n"
                "print('ready', flush=True)\n"
                "time.sleep(60)\n" % (self.server.hostport, p))
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (proc.poll() is None and proc.kill(), proc.wait(),
                                 proc.stdout.close()))
        self.assertEqual(proc.stdout.readline().strip(), b"ready")
        self.assertEqual(o.exists(p, watch=True)[0], 0)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        self.assertEqual(o.wait_events(1, timeout=10), [(z.NODE_DELETED, S, p)])

    def test_resume_on_new_connection_keeps_session_and_closes_old_connection(self):
        a = self.wire(timeout_ms=5000)
        p = self.unique()
        a.create(p, flags=z.EPHEMERAL)
        b = self.wire(session_id=a.session_id, passwd=a.passwd, timeout_ms=5000)
        self.assertEqual(b.session_id, a.session_id)
        self.assertEqual(b.passwd, a.passwd)
        self.assertEqual(b.negotiated_timeout, 5000)
        with self.assertRaises(z.ConnectionClosed):
            a.recv_packet(5)
        err, stat = b.exists(p)
        self.assertEqual((err, stat.ephemeralOwner), (0, a.session_id))
        self.assertEqual(b.get_ephemerals(p), (0, [p]))

    def test_resume_with_wrong_password_is_refused_but_session_lives(self):
        a = self.wire(timeout_ms=5000)
        p = self.unique()
        a.create(p, flags=z.EPHEMERAL)
        bad = self.wire(session_id=a.session_id, passwd=b"\x01" * 16)
        self.assertEqual((bad.session_id, bad.negotiated_timeout), (0, 0))
        with self.assertRaises(z.ConnectionClosed):
            bad.recv_packet(5)
        good = self.wire(session_id=a.session_id, passwd=a.passwd, timeout_ms=5000)
        self.assertEqual(good.session_id, a.session_id)
        self.assertEqual(good.exists(p)[0], 0)

    def test_unknown_session_is_refused(self):
        r = self.wire(session_id=0x7777, passwd=b"\0" * 16)
        self.assertEqual((r.session_id, r.negotiated_timeout), (0, 0))


class Resumption(ServerTestCase):
    """kazoo through a proxy: cutting the TCP connection must not lose the session."""

    def setUp(self):
        self.proxy = Proxy(self.server.address)
        self.addCleanup(self.proxy.close)

    def watch_states(self, zk):
        states = []
        zk.add_listener(lambda s: states.append(s))
        return states

    def test_session_and_ephemerals_survive_a_dropped_connection(self):
        zk = self.kazoo(hosts=self.proxy.hostport, timeout=10.0)
        other = self.kazoo()
        states = self.watch_states(zk)
        sid = zk.client_id
        p = self.unique()
        zk.create(p, b"mine", ephemeral=True)
        self.proxy.cut()
        wait_until(lambda: KazooState.SUSPENDED in states, 10, what="SUSPENDED")
        wait_until(lambda: states[-1] == KazooState.CONNECTED, 15, what="reconnect")
        self.assertNotIn(KazooState.LOST, states)
        self.assertEqual(zk.client_id, sid)
        self.assertEqual(other.exists(p).ephemeralOwner, sid[0])
        self.assertEqual(zk.get(p)[0], b"mine")
        zk.set(p, b"still writable")

    def test_kazoo_reconnect_fails_pending_requests_but_keeps_working(self):
        zk = self.kazoo(hosts=self.proxy.hostport, timeout=10.0)
        states = self.watch_states(zk)
        p = self.unique()
        zk.create(p)
        self.proxy.accepting = False
        self.proxy.cut()
        wait_until(lambda: KazooState.SUSPENDED in states, 10, what="SUSPENDED")
        self.proxy.accepting = True
        wait_until(lambda: states[-1] == KazooState.CONNECTED, 15, what="reconnect")
        self.assertEqual(zk.get_children(p), [])


class SetWatchesOnReconnect(ServerTestCase):
    """What a client sends after resuming its session on a new connection (kazoo 2.8 does
    not re-arm watches, so the raw client does it the way the Java client does)."""

    def test_set_watches_fires_for_changes_missed_while_disconnected(self):
        a, o = self.wire(), self.wire()
        p = self.unique()
        a.create(p)
        a.create(p + "/gone")
        a.create(p + "/keep")
        seen = a.last_zxid
        a.close()
        o.set_data(p, b"1")
        o.delete(p + "/gone")
        o.create(p + "/new")
        b = self.wire(session_id=a.session_id, passwd=a.passwd, last_zxid=seen)
        self.assertEqual(b.session_id, a.session_id)
        err, _ = b.set_watches(seen, data=[p, p + "/gone", p + "/keep"],
                               exist=[p + "/new", p + "/never"], child=[p, p + "/keep"])
        self.assertEqual(err, 0)
        # fired at once, before the reply: data watches, then exist, then child watches
        self.assertEqual(b.trace, [("event", z.NODE_DATA_CHANGED, S, p),
                                   ("event", z.NODE_DELETED, S, p + "/gone"),
                                   ("event", z.NODE_CREATED, S, p + "/new"),
                                   ("event", z.NODE_CHILDREN_CHANGED, S, p),
                                   ("reply", -8, 0)])
        # the watches on unchanged nodes are armed
        o.set_data(p + "/keep", b"k")
        o.create(p + "/never")
        self.assertEqual(b.wait_events(6)[4:], [(z.NODE_DATA_CHANGED, S, p + "/keep"),
                                                (z.NODE_CREATED, S, p + "/never")])

    def test_set_watches2_rearms_persistent_and_recursive_watches(self):
        b, o = self.wire(), self.wire()
        p = self.unique()
        o.create(p)
        o.create(p + "/k")
        err, _ = b.set_watches2(b.last_zxid or o.last_zxid, persistent=[p + "/k"],
                                recursive=[p])
        self.assertEqual(err, 0)
        o.set_data(p + "/k", b"x")
        o.set_data(p + "/k", b"y")
        o.create(p + "/k2")
        self.assertEqual(b.wait_events(3), [(z.NODE_DATA_CHANGED, S, p + "/k"),
                                            (z.NODE_DATA_CHANGED, S, p + "/k"),
                                            (z.NODE_CREATED, S, p + "/k2")])

    def test_client_ahead_of_server_is_disconnected(self):
        with self.assertRaises(z.ConnectionClosed):
            self.wire(last_zxid=1 << 50)


if __name__ == "__main__":
    main()
