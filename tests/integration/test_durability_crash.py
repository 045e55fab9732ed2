"""Crash tests: clients write under load with forceSync on, paddockd is killed with SIGKILL
at random moments (20 times in this file), restarted on the same data dir, and checked:

- every acknowledged write is there, with its data;
- nothing unacknowledged is half-applied: each write is a multi of two creates, and after a
  crash a pair is either wholly there or wholly absent;
- a counter set with setData never goes back below the last acknowledged value;
- sessions come back with their ephemerals (a client that resumes in time keeps both) and a
  session nobody resumes expires after restart, its ephemerals with it.

snapCount is small, so snapshots are taken (and interrupted) all along. The random seed is
printed; set PADDOCK_CRASH_SEED to replay a run.
"""

import os
import random
import sys
import threading
import time

from harness import servers
from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until

SEED = int(os.environ.get("PADDOCK_CRASH_SEED", str(int(time.time() * 1000) % 100000)))


class PairWriter(threading.Thread):
    """One session writing, `window` requests in flight: multis creating <base>/<tag>-<i>-a
    and -b together, and every third request a setData of <base>/counter-<tag>."""

    def __init__(self, address, base, tag, window=8):
        super().__init__(daemon=True)
        self.address, self.base, self.tag, self.window = address, base, tag, window
        self.stop = threading.Event()
        self.acked_pairs, self.sent_pairs = [], []
        self.acked_counter, self.sent_counter = -1, -1
        self.acks = 0

    def pair(self, i):
        return ["%s/%s-%05d-%s" % (self.base, self.tag, i, s) for s in "ab"]

    def counter_path(self):
        return "%s/counter-%s" % (self.base, self.tag)

    def run(self):
        try:
            w = z.WireClient(self.address, timeout_ms=30000)
        except OSError:
            return
        inflight, i, c = {}, 0, 0
        try:
            while not self.stop.is_set() or inflight:
                while not self.stop.is_set() and len(inflight) < self.window:
                    if (i + c) % 3 == 2:
                        c += 1
                        xid = w.send(z.OP["setData"], z.rec_set(self.counter_path(), b"%d" % c))
                        inflight[xid] = ("set", c)
                        self.sent_counter = c
                    else:
                        a, b = self.pair(i)
                        ops = [("create", z.rec_create(a, b"%d-a" % i)),
                               ("create", z.rec_create(b, b"%d-b" % i))]
                        body = z.W()
                        for name, rec in ops:
                            body.i32(z.OP[name]).bool(False).i32(-1)
                            body.parts.append(rec)
                        body.i32(-1).bool(True).i32(-1)
                        xid = w.send(z.OP["multi"], body.bytes())
                        inflight[xid] = ("pair", i)
                        self.sent_pairs.append(i)
                        i += 1
                p = w.recv_packet()
                if p.xid not in inflight:
                    continue
                kind, n = inflight.pop(p.xid)
                if p.err == 0:
                    self.acks += 1
                    if kind == "pair":
                        self.acked_pairs.append(n)
                    else:
                        self.acked_counter = max(self.acked_counter, n)
        except (z.ConnectionClosed, OSError):
            pass
        finally:
            w.close()


class CrashUnderLoad(ServerTestCase):
    server_cfg = {"forceSync": "yes", "snapCount": 60, "preAllocSize": 256}

    @classmethod
    def setUpClass(cls):
        print("crash seed: %d" % SEED, file=sys.stderr)
        super().setUpClass()

    def setUp(self):
        self.ensure_server()

    def check_round(self, w, base, writers, full=True):
        err, children = w.get_children(base)
        self.assertEqual(err, 0)
        present = set(children)
        for wr in writers:
            for i in wr.acked_pairs:
                a, b = wr.pair(i)
                self.assertIn(a.rsplit("/", 1)[1], present, "acknowledged %s lost" % a)
                self.assertIn(b.rsplit("/", 1)[1], present, "acknowledged %s lost" % b)
            for i in wr.sent_pairs:
                a, b = [p.rsplit("/", 1)[1] for p in wr.pair(i)]
                self.assertEqual(a in present, b in present,
                                 "multi %d half-applied: %s" % (i, sorted(present & {a, b})))
            if full:
                for i in wr.sent_pairs:
                    a, b = wr.pair(i)
                    if a.rsplit("/", 1)[1] in present:
                        self.assertEqual(w.get_data(a)[1][0], b"%d-a" % i)
                        self.assertEqual(w.get_data(b)[1][0], b"%d-b" % i)
            err, (data, _) = w.get_data(wr.counter_path())
            self.assertEqual(err, 0)
            value = int(data)
            self.assertGreaterEqual(value, max(wr.acked_counter, 0), "counter went back")
            self.assertLessEqual(value, max(wr.sent_counter, 0))
        unexpected = [c for c in present
                      if not any(c.startswith(wr.tag + "-") or c == "counter-" + wr.tag
                                 for wr in writers)]
        self.assertEqual(unexpected, [])

    def test_acknowledged_writes_survive_14_kills_under_load(self):
        rng = random.Random(SEED)
        rounds = []
        for r in range(14):
            base = "/crash-%d-%d" % (SEED, r)
            w = self.wire()
            w.create(base)
            writers = [PairWriter(self.server.address, base, tag) for tag in ("x", "y")]
            for wr in writers:
                w.create(wr.counter_path(), b"0")
            w.close()
            for wr in writers:
                wr.start()
            target = rng.randint(5, 250)
            wait_until(lambda: sum(wr.acks for wr in writers) >= target, 30,
                       what="%d acknowledged writes" % target)
            time.sleep(rng.random() * 0.05)
            self.server.kill9()
            for wr in writers:
                wr.stop.set()
            for wr in writers:
                wr.join(30)
                self.assertFalse(wr.is_alive())
            self.server.restart()
            rounds.append((base, writers))
            w = self.wire()
            self.check_round(w, base, writers)
            for old_base, old_writers in rounds[:-1]:
                self.check_round(w, old_base, old_writers, full=False)
            w.close()
        self.assertGreater(sum(len(wr.acked_pairs) for _, ws in rounds for wr in ws), 100)
        if servers.target() != "paddock":
            return
        with open(self.server.log_path) as f:
            log = f.read()
        self.assertIn("event=snapshot_written", log)
        self.assertIn("event=recovered snapshot=/", log)  # restarts went through snapshots
        self.assertNotIn("event=digest_mismatch", log)  # fuzzy snapshot + replay was exact


class SessionsAcrossCrashes(ServerTestCase):
    server_cfg = {"forceSync": "yes", "snapCount": 20}

    def test_sessions_keep_their_ephemerals_across_6_kills_and_an_orphan_expires(self):
        p = "/sess-%d" % SEED
        keep = z.WireClient(self.server.address, timeout_ms=12000)
        orphan = z.WireClient(self.server.address, timeout_ms=6000)
        self.addCleanup(keep.close)
        self.addCleanup(orphan.close)
        self.assertEqual(keep.create(p)[0], 0)
        self.assertEqual(orphan.create(p + "/orphan", flags=z.EPHEMERAL)[0], 0)
        mine = []
        for k in range(6):
            path = "%s/keep-%d" % (p, k)
            self.assertEqual(keep.create(path, b"%d" % k, flags=z.EPHEMERAL)[0], 0)
            mine.append(path)
            for j in range(15):  # some txns, so snapshots come and go between the kills
                keep.create("%s/filler-%d-%d" % (p, k, j))
            seen = keep.last_zxid
            self.server.kill9()
            keep.close()
            orphan.close()
            self.server.restart()
            keep = z.WireClient(self.server.address, timeout_ms=12000,
                                session_id=keep.session_id, passwd=keep.passwd, last_zxid=seen)
            self.addCleanup(keep.close)
            for q in mine:
                err, stat = keep.exists(q)
                self.assertEqual(err, 0, "ephemeral %s lost after kill %d" % (q, k + 1))
                self.assertEqual(stat.ephemeralOwner, keep.session_id)
            self.assertEqual(keep.exists(p + "/orphan")[0], 0)  # not expired yet
        # Nobody resumes the orphan's session: it expires, its ephemeral goes.
        deadline = time.monotonic() + 25
        while keep.exists(p + "/orphan")[0] == 0 and time.monotonic() < deadline:
            keep.ping()
            time.sleep(0.2)
        self.assertEqual(keep.exists(p + "/orphan")[0], z.NONODE)
        for q in mine:
            self.assertEqual(keep.exists(q)[0], 0)


if __name__ == "__main__":
    main()
