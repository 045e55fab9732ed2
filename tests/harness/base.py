"""unittest glue: one server per test class, clients that are always closed, a main()."""

import itertools
import logging
import os
import sys
import time
import unittest

from harness import servers, zkwire

logging.basicConfig(level=logging.ERROR)
logging.getLogger("kazoo").setLevel(logging.CRITICAL)

_counter = itertools.count()


def wait_until(cond, timeout=10.0, interval=0.02, what="condition"):
    """Polls cond() until it is truthy; returns its value or fails with `what`."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


class ServerTestCase(unittest.TestCase):
    """Starts one server (the target: paddockd or ZooKeeper) for the whole class.

    Subclasses set `server_cfg` / `server_props` for extra zoo.cfg keys / -D properties.
    """

    server_cfg = {}
    server_props = {}
    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = servers.make_server(cfg=dict(cls.server_cfg), props=dict(cls.server_props))

    @classmethod
    def tearDownClass(cls):
        if cls.server is not None:
            cls.server.close()
            cls.server = None

    def ensure_server(self):
        """Restarts the class server if a test left it stopped."""
        if not self.server.running():
            self.server.start()

    # --- clients -------------------------------------------------------------------------
    def kazoo(self, hosts=None, timeout=10.0, auth=None, start=True, **kw):
        from kazoo.client import KazooClient
        zk = KazooClient(hosts=hosts or self.server.hostport, timeout=timeout,
                         auth_data=auth, connection_retry={"max_tries": -1, "delay": 0.05,
                                                           "max_delay": 0.5},
                         **kw)
        self.addCleanup(_stop_kazoo, zk)
        if start:
            zk.start(timeout=15)
        return zk

    def wire(self, address=None, **kw):
        c = zkwire.WireClient(address or self.server.address, **kw)
        self.addCleanup(c.close)
        return c

    def unique(self, prefix="t"):
        """A fresh top-level path for one test."""
        return "/%s-%s-%d" % (prefix, self._testMethodName[-30:], next(_counter))


def _stop_kazoo(zk):
    try:
        zk.stop()
        zk.close()
    except Exception:
        pass


def main():
    """unittest.main that exits non-zero on failure and names the target server."""
    print("target server: %s" % servers.target(), file=sys.stderr)
    unittest.main(verbosity=2)
