"""Quotas: zkCli's setquota/listquota/delquota against the server (which keeps
/zookeeper/quota/<path>/zookeeper_stats up to date), and QUOTAEXCEEDED (-125) for creates,
sets and multis past a hard limit with -Dzookeeper.enforceQuota=true."""

from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until
from harness.clis import run_zkcli

LIMITS = "/zookeeper/quota%s/zookeeper_limits"
STATS = "/zookeeper/quota%s/zookeeper_stats"


class Quota(ServerTestCase):
    server_props = {"zookeeper.enforceQuota": "true"}

    def test_setquota_listquota_delquota_and_stats_tracking(self):
        w = self.wire()
        p = self.unique()
        w.create(p, b"ab")
        w.create(p + "/c", b"xyz")
        out, err = run_zkcli(self.server.hostport, [
            "setquota -n 5 %s" % p, "listquota %s" % p, "create %s/d 1234" % p,
            "listquota %s" % p, "delquota %s" % p, "listquota %s" % p])
        self.assertIn("Output quota for %s count=5,bytes=-1=;byteHardLimit=-1;"
                      "countHardLimit=-1" % p, out)
        # stats count the node itself and its descendants, bytes their data
        self.assertIn("Output stat for %s count=2,bytes=5" % p, out)
        self.assertIn("Output stat for %s count=3,bytes=9" % p, out)
        self.assertIn("quota for %s does not exist." % p, err)
        self.assertEqual(w.exists(LIMITS % p)[0], z.NONODE)

    def test_server_updates_the_stats_node(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        run_zkcli(self.server.hostport, ["setquota -n 100 %s" % p])
        self.assertEqual(w.get_data(LIMITS % p)[1][0],
                         b"count=100,bytes=-1=;byteHardLimit=-1;countHardLimit=-1")
        self.assertEqual(w.get_data(STATS % p)[1][0], b"count=1,bytes=0")
        w.create(p + "/a", b"12345")
        w.create(p + "/a/b", b"67")
        self.assertEqual(w.get_data(STATS % p)[1][0], b"count=3,bytes=7")
        w.set_data(p + "/a", b"1")
        w.delete(p + "/a/b")
        self.assertEqual(w.get_data(STATS % p)[1][0], b"count=2,bytes=1")

    def test_soft_count_quota_is_not_enforced(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        run_zkcli(self.server.hostport, ["setquota -n 2 %s" % p])
        for i in range(4):
            self.assertEqual(w.create("%s/c%d" % (p, i))[0], 0)

    def test_hard_count_quota_fails_creates_with_quota_exceeded(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        out, err = run_zkcli(self.server.hostport, [
            "setquota -N 3 %s" % p, "create %s/a" % p, "create %s/b" % p, "create %s/c" % p])
        self.assertIn("Created %s/a" % p, err)
        self.assertIn("Created %s/b" % p, err)
        self.assertIn("Quota has exceeded : %s/c" % p, err)
        self.assertEqual(w.create(p + "/d")[0], z.QUOTAEXCEEDED)
        self.assertEqual(sorted(w.get_children(p)[1]), ["a", "b"])
        err, res = w.multi([("delete", z.rec_delete(p + "/a")),
                            ("create", z.rec_create(p + "/x")),
                            ("create", z.rec_create(p + "/y"))])
        self.assertEqual(res, [(-1, 0, None), (-1, z.QUOTAEXCEEDED, None), (-1, -2, None)])
        self.assertEqual(w.delete(p + "/a")[0], 0)
        self.assertEqual(w.create(p + "/x")[0], 0)

    def test_hard_byte_quota_fails_sets_with_quota_exceeded(self):
        w = self.wire()
        p = self.unique()
        w.create(p)
        run_zkcli(self.server.hostport, ["setquota -B 10 %s" % p])
        self.assertEqual(w.set_data(p, b"x" * 11)[0], z.QUOTAEXCEEDED)
        self.assertEqual(w.set_data(p, b"x" * 9)[0], 0)
        self.assertEqual(w.create(p + "/c", b"yy")[0], z.QUOTAEXCEEDED)
        self.assertEqual(w.create(p + "/c", b"y")[0], 0)
        self.assertEqual(w.get_data(STATS % p)[1][0], b"count=2,bytes=10")


if __name__ == "__main__":
    main()
