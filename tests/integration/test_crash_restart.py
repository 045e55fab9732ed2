"""Durability across kill -9 and restart on the same data dir (forceSync=yes): every
acknowledged write is there afterwards; sessions come back (a client that reconnects in time
keeps its session and ephemerals; one that does not expires); snapshots plus log replay."""

import threading
import time

from kazoo.protocol.states import KazooState

from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until

S = z.SYNC_CONNECTED


class CrashRestart(ServerTestCase):
    server_cfg = {"forceSync": "yes", "snapCount": 200}

    def setUp(self):
        self.ensure_server()

    def pipelined_writer(self, base, acked, stop, window=16):
        """Creates base/n-<i> with data str(i), `window` requests in flight; records acks."""
        try:
            w = z.WireClient(self.server.address, timeout_ms=30000)
        except OSError:
            return
        inflight = {}
        i = 0
        try:
            while not stop.is_set() or inflight:
                while not stop.is_set() and len(inflight) < window:
                    xid = w.send(z.OP["create"], z.rec_create("%s/n-%06d" % (base, i),
                                                              str(i).encode()))
                    inflight[xid] = i
                    i += 1
                p = w.recv_packet()
                if p.xid in inflight:
                    n = inflight.pop(p.xid)
                    if p.err == 0:
                        acked.append(n)
        except (z.ConnectionClosed, OSError):
            pass
        finally:
            w.close()

    def test_every_acknowledged_write_survives_kill_9(self):
        base = self.unique()
        self.wire().create(base)
        acked, stop = [], threading.Event()
        t = threading.Thread(target=self.pipelined_writer, args=(base, acked, stop))
        t.start()
        try:
            wait_until(lambda: len(acked) >= 300, 30, what="300 acknowledged writes")
            self.server.kill9()
        finally:
            stop.set()
            t.join(30)
        self.assertFalse(t.is_alive())
        n_acked = len(acked)
        self.server.restart()
        w = self.wire()
        err, children = w.get_children(base)
        self.assertEqual(err, 0)
        present = set(children)
        missing = [n for n in acked if "n-%06d" % n not in present]
        self.assertEqual(missing, [], "acknowledged writes lost after kill -9")
        self.assertGreaterEqual(len(present), n_acked)
        for n in acked[:: max(1, n_acked // 25)]:
            self.assertEqual(w.get_data("%s/n-%06d" % (base, n))[1][0], str(n).encode())
        # the history goes on: new zxids are above every recovered one
        err, (_, stat) = w.create2(base + "-after")
        self.assertGreater(stat.czxid, w.exists(base)[1].pzxid)

    def test_state_survives_sigterm_and_repeated_kills(self):
        w = self.wire()
        p = self.unique()
        w.create(p, b"v0")
        for i in range(1, 4):
            self.assertEqual(w.set_data(p, b"v%d" % i)[0], 0)
            w.create("%s/c%d" % (p, i))
            w.close()
            self.server.restart(kill=(i != 2))  # one SIGTERM, the others kill -9
            w = self.wire()
            err, (data, stat) = w.get_data(p)
            self.assertEqual((data, stat.version), (b"v%d" % i, i))
            self.assertEqual(sorted(w.get_children(p)[1]),
                             ["c%d" % k for k in range(1, i + 1)])

    def test_client_reconnecting_in_time_keeps_session_and_ephemerals(self):
        zk = self.kazoo(timeout=20.0)
        states = []
        zk.add_listener(states.append)
        sid = zk.client_id
        p = self.unique()
        zk.create(p, b"e", ephemeral=True)
        zk.create(p + "-seq-", ephemeral=True, sequence=True)
        self.server.kill9()
        wait_until(lambda: KazooState.SUSPENDED in states, 10, what="SUSPENDED")
        self.server.restart()
        wait_until(lambda: states[-1] == KazooState.CONNECTED, 30, what="reconnect")
        self.assertNotIn(KazooState.LOST, states)
        self.assertEqual(zk.client_id, sid)
        stat = self.kazoo().exists(p)
        self.assertIsNotNone(stat)
        self.assertEqual(stat.ephemeralOwner, sid[0])
        zk.set(p, b"after restart")

    def test_raw_session_resumes_after_restart_and_a_silent_one_expires(self):
        keep = z.WireClient(self.server.address, timeout_ms=8000)
        gone = z.WireClient(self.server.address, timeout_ms=4000)
        self.addCleanup(keep.close)
        self.addCleanup(gone.close)
        p = self.unique()
        self.assertEqual(keep.create(p + "-keep", flags=z.EPHEMERAL)[0], 0)
        self.assertEqual(gone.create(p + "-gone", flags=z.EPHEMERAL)[0], 0)
        seen = max(keep.last_zxid, gone.last_zxid)
        self.server.kill9()
        self.server.restart()
        back = self.wire(session_id=keep.session_id, passwd=keep.passwd, timeout_ms=8000,
                         last_zxid=seen)
        self.assertEqual(back.session_id, keep.session_id)
        self.assertEqual(back.exists(p + "-keep")[1].ephemeralOwner, keep.session_id)
        back.exists(p + "-gone", watch=True)
        deadline = time.monotonic() + 20
        while not back.events and time.monotonic() < deadline:
            back.ping()
            back.no_more_events(0.5)
        self.assertEqual(back.events, [(z.NODE_DELETED, S, p + "-gone")])
        self.assertEqual(back.exists(p + "-keep")[0], 0)

    def test_snapshots_and_log_replay_restore_many_writes(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        # enough txns to cross several snapshots (snapCount=200), sent pipelined
        xids = [w.send(z.OP["create"], z.rec_create("%s/k%04d" % (p, i), b"%d" % i))
                for i in range(700)]
        for xid in xids:
            self.assertEqual(w.wait_reply(xid).err, 0)
        for i in range(0, 700, 7):
            w.set_data("%s/k%04d" % (p, i), b"changed")
        for i in range(1, 700, 7):
            w.delete("%s/k%04d" % (p, i))
        before = w.get_children2(p)
        w.close()
        self.server.kill9()
        self.server.restart()
        w = self.wire()
        after = w.get_children2(p)
        self.assertEqual(sorted(after[1][0]), sorted(before[1][0]))
        self.assertEqual(after[1][1], before[1][1])
        self.assertEqual(w.get_data("%s/k0007" % p)[1][0], b"changed")
        self.assertEqual(w.get_data("%s/k0002" % p)[1][0], b"2")


if __name__ == "__main__":
    main()
