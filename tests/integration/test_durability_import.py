"""`paddock import-zk` against a data dir written by the real Apache ZooKeeper 3.8 in this
test: a known tree (ACLs of several schemes, null and binary data, sequential, ephemeral,
container and TTL nodes, multis, deletes, versions) is written with kazoo and the raw wire
client, ZooKeeper is stopped with a client session still open, the data dir is imported,
paddockd is started on the result, and every znode's data, ACL and Stat is compared with
what ZooKeeper served. The open session's ephemerals are there and expire later; the zxid
history goes on.
"""

import os
import subprocess
import time

from kazoo.client import KazooClient
from kazoo.security import make_acl, make_digest_acl

from harness import servers
from harness import zkwire as z
from harness.base import ServerTestCase, main, wait_until

PROPS = {"zookeeper.extendedTypesEnabled": "true"}
CFG = {"snapCount": 50}  # several ZooKeeper snapshots, and log files after them


def walk(zk):
    """{path: (data, acl, stat)} for every znode, /zookeeper included."""
    out, todo = {}, ["/"]
    while todo:
        path = todo.pop()
        data, stat = zk.get(path)
        acl, _ = zk.get_acls(path)
        out[path] = (data, sorted((a.perms, a.id.scheme, a.id.id) for a in acl), tuple(stat))
        for child in zk.get_children(path):
            todo.append(("" if path == "/" else path) + "/" + child)
    return out


def kazoo(hostport, timeout=10.0):
    zk = KazooClient(hosts=hostport, timeout=timeout, auth_data=[("digest", "u:p")])
    zk.start(timeout=30)
    return zk


class ImportFromZooKeeper(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        # The ZooKeeper that writes the data dir (no class server of the target kind).
        cls.zk = servers.make_server(kind="zookeeper", cfg=CFG, props=PROPS)

    @classmethod
    def tearDownClass(cls):
        cls.zk.close()

    def build_tree(self, zk, live):
        zk.create("/app", b"application")
        zk.create("/app/config/db", bytes(range(256)), makepath=True)
        zk.create("/nulldata", None)
        zk.create("/acl-digest", b"d", acl=[make_digest_acl("u", "p", all=True),
                                            make_acl("world", "anyone", read=True)])
        zk.create("/acl-ip", b"i", acl=[make_acl("ip", "127.0.0.1", all=True)])
        zk.create("/acl-auth", b"a", acl=[make_acl("auth", "", all=True)])
        seq = [zk.create("/seq/item-", b"%d" % i, sequence=True, makepath=True)
               for i in range(5)]
        zk.delete(seq[2])
        for i in range(3):
            zk.set("/app", b"application v%d" % (i + 2))
        zk.set_acls("/app/config", [make_acl("world", "anyone", all=True)])
        t = zk.transaction()
        t.create("/multi-a", b"1")
        t.create("/multi-b", b"2")
        t.set_data("/app", b"from a multi")
        t.commit()
        for i in range(120):  # enough txns for several snapshots (snapCount=50)
            zk.create("/bulk/n%03d" % i, b"b%d" % i, makepath=True)
        for i in range(0, 120, 3):
            zk.delete("/bulk/n%03d" % i)
        w = z.WireClient(self.zk.address)
        self.assertEqual(w.create_container("/cont", b"c")[0], 0)
        self.assertEqual(w.create("/cont/child", b"x")[0], 0)
        self.assertEqual(w.create_ttl("/ttl", 3600000, b"t")[0], 0)
        w.close()
        live.create("/live", b"", makepath=True)
        live.create("/live/e1", b"ephemeral", ephemeral=True)
        live.create("/live/es-", b"eseq", ephemeral=True, sequence=True)

    def test_imported_tree_matches_zookeeper_node_for_node(self):
        zk = kazoo(self.zk.hostport)
        live = kazoo(self.zk.hostport, timeout=4.0)  # stays open across the stop
        self.build_tree(zk, live)
        expected = walk(zk)
        live_session = live.client_id[0]
        zk.stop()
        zk.close()
        self.zk.terminate()
        live.stop()  # its connection is already gone; nothing reaches ZooKeeper
        live.close()
        zk_files = sorted(os.listdir(os.path.join(self.zk.data_dir, "version-2")))
        self.assertGreater(len([f for f in zk_files if f.startswith("snapshot.")]), 1, zk_files)

        target = servers.make_server(kind="paddock", props=PROPS, start=False)
        self.addCleanup(target.close)
        cli = os.path.join(os.path.dirname(servers.paddockd_path()), "paddock")
        out = subprocess.run([cli, "import-zk", self.zk.data_dir, target.data_dir],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("(0 mismatches)", out.stdout)  # Paddock's tree digest = ZooKeeper's
        verify = subprocess.run([cli, "snapshot", "verify", target.data_dir],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(verify.returncode, 0, verify.stdout)

        target.start()
        with open(target.log_path) as f:
            self.assertNotIn("event=digest_mismatch", f.read())
        pz = kazoo(target.hostport)
        self.addCleanup(pz.close)
        self.addCleanup(pz.stop)
        actual = walk(pz)
        self.assertEqual(sorted(actual), sorted(expected))
        for path in sorted(expected):
            self.assertEqual(actual[path], expected[path], path)
        self.assertIsNone(actual["/nulldata"][0])
        self.assertEqual(actual["/live/e1"][2][7], live_session)  # ephemeralOwner

        # The history goes on after ZooKeeper's last zxid.
        last = max(s[2][1] for s in expected.values())
        stat = pz.set("/app", b"served by paddock")
        self.assertGreater(stat.mzxid, last)
        # The session nobody resumes expires, and its ephemerals with it.
        wait_until(lambda: pz.exists("/live/e1") is None, 30, what="the orphan session expires")
        self.assertEqual(pz.get_children("/live"), [])


if __name__ == "__main__":
    main()
