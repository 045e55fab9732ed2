"""zkCli.sh (the Java shell) in batch against the server: create (plain, -e, -s), get,
set (with -v), ls (-s, -R), stat, delete, deleteall, getAcl/setAcl/addauth, sync, and its
error messages. One JVM per test, several commands each, to keep it quick."""

from harness.base import ServerTestCase, main
from harness.clis import run_zkcli


class ZkCli(ServerTestCase):
    def zkcli(self, *commands):
        return run_zkcli(self.server.hostport, list(commands))

    def test_create_get_set_ls_stat_delete(self):
        p = self.unique()
        out, err = self.zkcli("create %s d1" % p, "get %s" % p, "set %s v2" % p, "get %s" % p,
                              "create %s/c" % p, "create -e %s/e" % p, "create -s %s/s-" % p,
                              "ls %s" % p, "stat %s" % p, "delete %s/c" % p, "ls %s" % p)
        self.assertIn("Created %s\n" % p, err + "\n")
        self.assertIn("Created %s/c" % p, err)
        self.assertIn("Created %s/e" % p, err)
        self.assertIn("Created %s/s-0000000002" % p, err)
        lines = out.splitlines()
        i = lines.index("d1")
        self.assertEqual(lines[i + 1], "v2")
        self.assertEqual(lines[i + 2], "[c, e, s-0000000002]")
        stat = dict(l.split(" = ", 1) for l in lines[i + 3:i + 14])
        self.assertEqual(stat["dataVersion"], "1")
        self.assertEqual(stat["cversion"], "3")
        self.assertEqual(stat["numChildren"], "3")
        self.assertEqual(stat["dataLength"], "2")
        self.assertEqual(stat["ephemeralOwner"], "0x0")
        self.assertEqual(int(stat["pZxid"], 16) > int(stat["cZxid"], 16), True)
        self.assertEqual(lines[i + 14], "[e, s-0000000002]")
        zk = self.kazoo()
        self.assertEqual(zk.get(p)[0], b"v2")
        self.assertIsNone(zk.exists(p + "/e"))  # the shell's session is gone

    def test_error_messages(self):
        p = self.unique()
        out, err = self.zkcli("get %s" % p, "create %s x" % p, "create %s y" % p,
                              "set -v 7 %s z" % p, "create %s/c" % p, "delete %s" % p,
                              "create %s/a/b/c" % p, "delete %s/none" % p)
        errl = err.splitlines()
        self.assertIn("Node does not exist: %s" % p, errl)
        self.assertIn("Node already exists: %s" % p, errl)
        self.assertIn("version No is not valid : %s" % p, errl)
        self.assertIn("Node not empty: %s" % p, errl)
        self.assertIn("Node does not exist: %s/a/b/c" % p, errl)
        self.assertIn("Node does not exist: %s/none" % p, errl)

    def test_ls_recursive_and_with_stat_and_deleteall(self):
        p = self.unique()
        zk = self.kazoo()
        for c in ("/a/b", "/a/c", "/d"):
            zk.create(p + c, makepath=True)
        out, err = self.zkcli("ls -R %s" % p, "ls -s %s" % p, "deleteall %s" % p,
                              "ls %s" % p)
        lines = out.splitlines()
        i = lines.index(p)
        self.assertEqual(sorted(lines[i:i + 5]),
                         sorted([p, p + "/a", p + "/d", p + "/a/b", p + "/a/c"]))
        self.assertEqual(lines[i + 5], "[a, d]")
        self.assertIn("numChildren = 2", lines[i + 6:i + 18])
        self.assertIn("Node does not exist: %s" % p, err)
        self.assertIsNone(zk.exists(p))

    def test_acls_and_addauth(self):
        p = self.unique()
        out, err = self.zkcli("create %s x" % p, "getAcl %s" % p,
                              "addauth digest u:p", "setAcl %s auth:u:p:cdrwa" % p,
                              "getAcl %s" % p, "setAcl %s world:anyone:r" % p,
                              "set %s q" % p, "sync %s" % p)
        self.assertEqual(out.count("'world,'anyone\n: cdrwa"), 1)
        self.assertIn("'digest,'u:Jq7wMyA/w2Vd5WIDAKdu4OIIFEQ=\n: cdrwa", out)
        self.assertIn("Insufficient permission : %s" % p, err)
        self.assertIn("Sync is OK", out)
        acls, stat = self.kazoo().get_acls(p)
        self.assertEqual([(a.perms, a.id.scheme, a.id.id) for a in acls],
                         [(1, "world", "anyone")])
        self.assertEqual(stat.aversion, 2)


if __name__ == "__main__":
    main()
