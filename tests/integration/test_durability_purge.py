"""Autopurge on a running paddockd: old snapshots and log segments go, the newest
autopurge.snapRetainCount snapshots stay with every segment recovery from them needs --
shown by recovering from the oldest kept one after damaging the newer ones.
(purgeInterval is in hours; -Dpaddock.autopurge.intervalMs shortens it for the test.)
"""

import glob
import os
import unittest

from harness import servers
from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until

N = 400


@unittest.skipIf(servers.target() != "paddock", "checks Paddock's own files")
class Autopurge(ServerTestCase):
    server_cfg = {"forceSync": "yes", "snapCount": 20, "preAllocSize": 64,
                  "autopurge.snapRetainCount": 3, "autopurge.purgeInterval": 1}
    server_props = {"paddock.autopurge.intervalMs": 100}

    def files(self, sub, pattern):
        return sorted(glob.glob(os.path.join(self.server.data_dir, sub, pattern)))

    def test_purge_keeps_the_newest_snapshots_and_the_log_they_need(self):
        w = self.wire()
        w.create("/p")
        for i in range(N):  # one at a time: each snapshot ends before the next is due
            self.assertEqual(w.create("/p/n%04d" % i, b"%d" % i)[0], 0)
        # Purge runs every 100 ms while the last snapshot may still be being written: wait
        # for it to settle, and check at every look that nothing recovery needs is gone.
        # (Segments are listed before snapshots: purge removes snapshots first.)
        def settled():
            segments = self.files("paddock-log", "log.*")
            snaps = self.files("paddock-snap", "snapshot.*")
            oldest = int(os.path.basename(snaps[0]).split(".")[1], 16)
            firsts = [int(os.path.basename(s).split(".")[1], 16) for s in segments]
            self.assertLessEqual(firsts[0], oldest + 1,
                                 "the segment holding %#x was purged: %s" % (oldest + 1, firsts))
            return len(snaps) == 3 and (len(firsts) == 1 or firsts[1] > oldest + 1)
        wait_until(settled, 20, what="purge down to 3 snapshots and the segments they need")
        snaps = self.files("paddock-snap", "snapshot.*")
        with open(self.server.log_path) as f:
            self.assertIn("event=purged file=", f.read())
        w.close()

        # Recovery from the oldest kept snapshot works: damage the two newer ones.
        self.server.kill9()
        for s in snaps[1:]:
            with open(s, "r+b") as f:
                f.seek(os.path.getsize(s) // 2)
                b = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([b[0] ^ 0xFF]))
        with open(self.server.log_path) as f:
            before = len(f.read())
        self.server.start()
        with open(self.server.log_path) as f:
            log = f.read()[before:]
        self.assertIn("event=recovered snapshot=%s " % snaps[0], log)
        self.assertIn("skipped_snapshots=2", log)
        w = self.wire()
        self.assertEqual(len(w.get_children("/p")[1]), N)
        self.assertEqual(w.get_data("/p/n%04d" % (N - 1))[1][0], b"%d" % (N - 1))


if __name__ == "__main__":
    main()
