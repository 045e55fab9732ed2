"""Disk full under the txn log, on a small tmpfs this test mounts itself (needs root; the
test is skipped with a message only when mounting is not permitted).

While the log cannot write: every write in flight is answered (none hangs) and so is every
later one, with NOTREADONLY (-119); reads keep working; isro says "ro"; nothing that was
acknowledged is harmed. Once space is back, writes are accepted again without a restart,
and a kill -9 + restart afterwards finds exactly the acknowledged writes.
"""

import os
import socket
import subprocess
import tempfile
import time
import unittest

from harness import servers
from harness import zkwire as z
from harness.base import main, wait_until

NOTREADONLY = -119
DATA = b"x" * 8192


def mount_tmpfs(path, size):
    """Mounts a tmpfs; returns None, or why it is not permitted (then the test skips)."""
    if os.geteuid() != 0:
        return "not root (euid %d): cannot mount a tmpfs" % os.geteuid()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", path],
                       capture_output=True, text=True)
    if r.returncode == 0:
        return None
    why = (r.stderr or r.stdout).strip()
    if "permission denied" in why.lower() or "not permitted" in why.lower():
        return "mount not permitted: %s" % why
    raise AssertionError("mount -t tmpfs failed: %s" % why)


@unittest.skipIf(servers.target() != "paddock", "ZooKeeper stops serving on a full disk")
class DiskFull(unittest.TestCase):
    def setUp(self):
        self.mnt = tempfile.mkdtemp(prefix="paddock-tmpfs-")
        self.addCleanup(os.rmdir, self.mnt)
        why = mount_tmpfs(self.mnt, "4m")
        if why:
            self.skipTest(why)
        self.addCleanup(subprocess.run, ["umount", "-l", self.mnt], check=False)
        self.data = os.path.join(self.mnt, "data")
        self.server = servers.make_server(
            kind="paddock",
            cfg={"dataDir": self.data, "forceSync": "yes", "preAllocSize": 64,
                 "snapCount": 1000000},
            props={"paddock.log.retryIntervalMs": 200})
        self.addCleanup(self.server.close)
        self.filler = os.path.join(self.mnt, "filler")

    def fill_leaving(self, free_bytes):
        st = os.statvfs(self.mnt)
        size = st.f_bavail * st.f_frsize - free_bytes
        with open(self.filler, "wb") as f:
            f.write(b"\1" * max(0, size))

    def write_until_refused(self, w, base):
        """Pipelined creates until refusals come back; every request must be answered."""
        acked, refused, inflight, i = [], [], {}, 0
        deadline = time.monotonic() + 60
        while (len(refused) < 20 or inflight) and time.monotonic() < deadline:
            while len(refused) < 20 and len(inflight) < 16:
                path = "%s/n%04d" % (base, i)
                inflight[w.send(z.OP["create"], z.rec_create(path, DATA))] = path
                i += 1
            p = w.recv_packet(timeout=15)  # a request left hanging fails here
            path = inflight.pop(p.xid)
            if p.err == 0:
                self.assertEqual(refused, [], "a write was acknowledged after a refusal")
                acked.append(path)
            else:
                self.assertEqual(p.err, NOTREADONLY)
                refused.append(path)
        self.assertEqual(inflight, {})
        return acked, refused

    def test_writes_are_refused_while_the_disk_is_full_and_accepted_again_after(self):
        w = z.WireClient(self.server.address, timeout_ms=30000)
        self.addCleanup(w.close)
        self.assertEqual(w.create("/full", b"before")[0], 0)
        self.fill_leaving(256 * 1024)
        acked, refused = self.write_until_refused(w, "/full")
        self.assertGreater(len(acked), 0)
        self.assertGreaterEqual(len(refused), 20)
        # Reads keep working; the server says it is read-only; writes keep being refused.
        self.assertEqual(w.get_data("/full")[1][0], b"before")
        self.assertEqual(w.get_data(acked[-1])[1][0], DATA)
        self.assertEqual(len(w.get_children("/full")[1]), len(acked))
        self.assertEqual(self.server.four_letter("isro"), "ro")
        self.assertEqual(w.create("/still-full")[0], NOTREADONLY)
        self.assertEqual(w.set_data("/full", b"x")[0], NOTREADONLY)
        with open(self.server.log_path) as f:
            log = f.read()
        self.assertIn("No space left on device", log)
        self.assertIn("event=writes_refused", log)

        # Space comes back: writes are accepted again, without a restart.
        os.remove(self.filler)
        wait_until(lambda: w.create("/full-again", b"after")[0] == 0, 20,
                   what="writes accepted again once space is back")
        self.assertEqual(self.server.four_letter("isro"), "rw")
        for path in refused:
            self.assertEqual(w.exists(path)[0], z.NONODE, "refused write %s applied" % path)
        self.assertEqual(w.set_data("/full", b"after")[0], 0)

        # What the log holds after the outage is exactly what was acknowledged.
        w.close()
        self.server.restart()
        w2 = z.WireClient(self.server.address)
        self.addCleanup(w2.close)
        names = set(w2.get_children("/full")[1])
        self.assertEqual(names, {p.rsplit("/", 1)[1] for p in acked})
        self.assertEqual(w2.get_data("/full")[1][0], b"after")
        self.assertEqual(w2.get_data("/full-again")[1][0], b"after")
        for path in acked[:: max(1, len(acked) // 10)]:
            self.assertEqual(w2.get_data(path)[1][0], DATA)

    def test_new_sessions_are_refused_while_the_disk_is_full(self):
        w = z.WireClient(self.server.address, timeout_ms=30000)
        self.addCleanup(w.close)
        self.fill_leaving(128 * 1024)
        self.write_until_refused(w, "")
        with self.assertRaises((z.ConnectionClosed, OSError, socket.timeout)):
            z.WireClient(self.server.address, io_timeout=5).close()
        os.remove(self.filler)
        wait_until(lambda: w.create("/ok")[0] == 0, 20, what="writes accepted again")
        fresh = z.WireClient(self.server.address)
        self.addCleanup(fresh.close)
        self.assertEqual(fresh.exists("/ok")[0], 0)


if __name__ == "__main__":
    main()
