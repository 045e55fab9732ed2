"""The C client's shell, cli_mt (libzookeeper_mt): create (plain, +e, +s), set, get, ls,
exists, delete against the server, with the rc codes it prints."""

import re

from harness.base import ServerTestCase, main
from harness.clis import CliMt


class CliMtShell(ServerTestCase):
    def cli(self):
        c = CliMt(self.server.hostport)
        self.addCleanup(c.close)
        return c

    def test_create_set_get_ls_delete(self):
        c = self.cli()
        p = self.unique()
        rc, out = c.run("create %s" % p, p)
        self.assertEqual(rc, 0)
        self.assertIn("\tname = %s" % p, out)
        self.assertEqual(c.run("set %s hello" % p, p)[0], 0)
        rc, out = c.run("get %s" % p, p)
        self.assertEqual(rc, 0)
        c.wait_for(re.compile(r"^hello$"), 0)
        c.wait_for(re.compile(r"^\tversion=1\taversion=0$"), 0)
        self.assertEqual(c.run("create %s/k1" % p, p + "/k1")[0], 0)
        rc, out = c.run("create +s %s/q" % p, p + "/q")
        self.assertEqual(rc, 0)
        c.wait_for(re.compile(r"^\tname = %s/q0000000001$" % re.escape(p)), 0)
        self.assertEqual(c.run("create +e %s/eph" % p, p + "/eph")[0], 0)
        rc, out = c.run("ls %s" % p, p)
        self.assertEqual(rc, 0)
        c.wait_for(re.compile(r"^\teph$"), 0)
        self.assertEqual(c.run("delete %s/k1" % p, p + "/k1")[0], 0)
        zk = self.kazoo()
        self.assertEqual(zk.get(p)[0], b"hello")
        self.assertEqual(sorted(zk.get_children(p)), ["eph", "q0000000001"])
        self.assertNotEqual(zk.exists(p + "/eph").ephemeralOwner, 0)

    def test_error_codes(self):
        c = self.cli()
        p = self.unique()
        self.assertEqual(c.run("get %s" % p, p)[0], -101)
        self.assertEqual(c.run("delete %s" % p, p)[0], -101)
        self.assertEqual(c.run("create %s" % p, p)[0], 0)
        self.assertEqual(c.run("create %s" % p, p)[0], -110)
        self.assertEqual(c.run("create %s/c" % p, p + "/c")[0], 0)
        self.assertEqual(c.run("delete %s" % p, p)[0], -111)
        self.assertEqual(c.run("create +e %s/e" % p, p + "/e")[0], 0)
        self.assertEqual(c.run("create %s/e/x" % p, p + "/e/x")[0], -108)

    def test_exists_and_sync(self):
        c = self.cli()
        p = self.unique()
        self.kazoo().create(p, b"12345")
        # exists prints nothing on success and "Error <rc> for <path>" on failure
        start = c.send("exists %s" % p)
        c.send("exists %s/none" % p)
        c.wait_for(re.compile(r"^Error -101 for %s/none$" % re.escape(p)), start)
        self.assertEqual(c.run("sync %s" % p, p)[0], 0)
        self.assertNotIn("Error -101 for %s" % p, c.output(start))


if __name__ == "__main__":
    main()
