"""Paddock members in one ensemble with Apache ZooKeeper 3.8 members (harness/ensemble.py,
`kinds=`): they elect one leader, replicate every write both ways, and survive a kill -9 of
the leader under load, whichever kind leads.

Two line-ups, each in its own class: 2 ZooKeeper + 1 Paddock (server.3 is Paddock) and
1 ZooKeeper + 2 Paddock (server.3 is ZooKeeper). When every member starts at zxid 0 the
highest sid usually wins the first election, so the first line-up usually starts with a
Paddock leader and ZooKeeper followers, the second with a ZooKeeper leader and Paddock
followers, and killing that leader hands leadership to the other kind; the tests pass
whoever leads and print which kind led.

A third class, PaddockJoinsZooKeeper, starts only ZooKeeper servers 1 and 2 of a 3-server
configuration, fills them with a tree, and only then starts paddockd as server 3: it must
sync the tree (a SNAP or DIFF from a ZooKeeper leader), serve it, forward writes, and form
the quorum with the remaining ZooKeeper once the ZooKeeper leader is killed.

Runs only with PADDOCK_TEST_TARGET=paddock (the default): with the zookeeper target there
is no Paddock to mix in, so the tests are skipped.
"""

import sys
import time
import unittest

from kazoo.exceptions import ConnectionLoss, NoAuthError, NoNodeError, SessionExpiredError
from kazoo.handlers.threading import KazooTimeoutError
from kazoo.security import make_acl, make_digest_acl

from harness.base import main, wait_until
from harness.ensemble import EnsembleTestCase, Writer, epoch_of
from harness.servers import target

ELECTION_BOUND_S = 20.0


@unittest.skipUnless(target() == "paddock",
                     "mixed ensembles need Paddock members: PADDOCK_TEST_TARGET is %r, not "
                     "paddock" % target())
class _Mixed(EnsembleTestCase):
    kinds = None  # {sid: kind}, set by each line-up

    def make(self):
        ens = self.ensemble(3, kinds=dict(self.kinds))
        sys.stderr.write("\n  line-up %s, server.%d (%s) leads\n"
                         % (self.kinds, ens.leader(), ens.kinds[ens.leader()]))
        return ens

    def test_one_leader_and_writes_through_every_kind_replicate(self):
        """The mixed ensemble elects exactly one leader; a write through each member
        (ZooKeeper and Paddock alike) is readable after sync through every member; sequential
        names issued round-robin through all members are consecutive; every member holds the
        same znodes with the same Stat zxids, and the same last zxid."""
        ens = self.make()
        modes = ens.modes()
        self.assertEqual(sorted(modes.values()), ["follower", "follower", "leader"], modes)
        clients = {s: self.client(ens.hostport(s)) for s in ens.sids}
        root = "/mixed"
        clients[ens.leader()].create(root)
        written = {}
        for s, zk in clients.items():
            p = "%s/from-%d-%s" % (root, s, ens.kinds[s])
            zk.create(p, b"data-%d" % s)
            written[p] = b"data-%d" % s
        for s, zk in clients.items():
            zk.sync(root)
            for p, data in written.items():
                self.assertEqual(zk.get(p)[0], data, "%s read through server.%d (%s)"
                                 % (p, s, ens.kinds[s]))
        seq_root = root + "/seq"
        clients[ens.sids[0]].create(seq_root)
        names = [clients[ens.sids[i % 3]].create(seq_root + "/n-", b"%d" % i, sequence=True)
                 for i in range(30)]
        self.assertEqual(names, ["%s/n-%010d" % (seq_root, i) for i in range(30)])
        tree = self.assert_same_tree(ens, root, expect_paths=list(written) + names)
        czxids = [tree[n][1] for n in names]
        self.assertEqual(czxids, sorted(set(czxids)))
        ens.wait_zxids_equal()

    def test_leader_kill9_under_load_in_a_mixed_ensemble(self):
        """kill -9 of the leader while a client with the whole connect string writes: the two
        others (of different kinds or not) elect a new leader within ELECTION_BOUND_S, writes
        go on in a new epoch, the killed member restarts and syncs from the new leader, and
        every acknowledged create is on all three members with the czxid it was acked with."""
        ens = self.make()
        old = ens.leader()
        others = [s for s in ens.sids if s != old]
        zk = self.client(ens.connect_string())
        root = "/mixed-load"
        zk.create(root)
        writer = Writer(zk, root + "/w")
        writer.start()
        try:
            wait_until(lambda: len(writer.acked) >= 50, 30, what="50 writes")
            old_epoch = epoch_of(writer.acked[-1][1])
            t0 = time.monotonic()
            ens.kill9(old)
            new = ens.wait_leader(ELECTION_BOUND_S + 10, among=others)
            elapsed = time.monotonic() - t0
            sys.stderr.write("  server.%d (%s) leads %.2fs after kill -9 of server.%d (%s)\n"
                             % (new, ens.kinds[new], elapsed, old, ens.kinds[old]))
            self.assertLess(elapsed, ELECTION_BOUND_S)
            t_new = time.monotonic()
            wait_until(lambda: len(writer.acked_since(t_new)) >= 50, 30,
                       what="50 writes after the election")
        finally:
            writer.stop()
        self.assertTrue(all(epoch_of(c) > old_epoch for _, c, _ in writer.acked_since(t_new)))
        ens.start(old)
        self.assertEqual(ens.mode(old), "follower")
        self.assertEqual(ens.leader(), new)
        tree = self.assert_same_tree(ens, root, expect_paths=[p for p, _, _ in writer.acked])
        for p, c, _ in writer.acked:
            self.assertEqual(tree[p][1], c, "czxid of %s as acknowledged" % p)
        # the restarted member takes writes again (forwarded to the new leader)
        zr = self.client(ens.hostport(old))
        _, st = zr.create(root + "/via-restarted", include_data=True)
        self.assertGreater(epoch_of(st.czxid), old_epoch)
        ens.wait_zxids_equal()

    def test_each_kind_leads_the_other(self):
        """Leadership is moved by kill -9 of the leader (and a restart) until a ZooKeeper
        member has led Paddock followers and a Paddock member has led ZooKeeper followers;
        under each leader a write through every member is read back through every member,
        and the restarted members catch up (same znodes everywhere at the end)."""
        ens = self.make()
        root = "/mixed-lead"
        zk = self.client(ens.connect_string())
        zk.create(root)
        led = {}
        acked = []
        for rnd in range(5):
            leader = ens.leader()
            led.setdefault(ens.kinds[leader], leader)
            for s in ens.sids:
                c = self.client(ens.hostport(s))
                p = "%s/r%d-via%d" % (root, rnd, s)
                c.create(p, ens.kinds[leader].encode())
                acked.append(p)
            self.assert_same_tree(ens, root, expect_paths=acked)
            if len(led) == 2:
                break
            ens.kill9(leader)
            ens.wait_leader(ELECTION_BOUND_S, among=[s for s in ens.sids if s != leader])
            ens.start(leader)
        sys.stderr.write("  led: %s\n" % led)
        self.assertEqual(sorted(led), ["paddock", "zookeeper"],
                         "leadership did not reach both kinds in 5 rounds: %s" % led)


class TwoZooKeeperOnePaddock(_Mixed):
    kinds = {1: "zookeeper", 2: "zookeeper", 3: "paddock"}


class OneZooKeeperTwoPaddock(_Mixed):
    kinds = {1: "paddock", 2: "paddock", 3: "zookeeper"}


del _Mixed  # only the line-ups run

AUTH = [("digest", "u1:p1")]


def full_dump(zk, root):
    """{path: (data or 'no-read', every Stat field, ACL as tuples)} for `root` and below, as
    the server `zk` is connected to sees it after a sync of `root`."""
    zk.sync(root)
    out = {}
    stack = [root]
    while stack:
        path = stack.pop()
        try:
            acls, st = zk.get_acls(path)
        except NoNodeError:
            continue
        try:
            data, st = zk.get(path)
        except NoAuthError:
            data = "no-read"
        except NoNodeError:
            continue
        out[path] = (data, tuple(st), tuple((a.perms, a.id.scheme, a.id.id) for a in acls))
        try:
            stack.extend(path + "/" + c for c in zk.get_children(path))
        except (NoAuthError, NoNodeError):
            pass
    return out


@unittest.skipUnless(target() == "paddock",
                     "needs a Paddock member: PADDOCK_TEST_TARGET is %r, not paddock"
                     % target())
class PaddockJoinsZooKeeper(EnsembleTestCase):
    session_timeout = 10.0

    def test_paddock_joins_a_running_two_server_zookeeper_ensemble(self):
        """ZooKeeper servers 1 and 2 of a 3-server configuration serve alone (2 of 3 is a
        quorum) and take a tree of ~330 znodes (data of many sizes, setData versions,
        digest/ip/world/read-only/no-read ACLs, ephemerals of a live session, persistent and
        ephemeral sequential nodes, deletes, a multi). Then paddockd starts as server 3: it
        follows (synced by ZooKeeper's SNAP, as its log shows), and every znode's data, whole Stat and ACL read through it equals what both
        ZooKeepers show; a write through ZooKeeper is read through paddockd after sync, a
        write through paddockd (forwarded) is read through ZooKeeper. kill -9 of the
        ZooKeeper leader: the other ZooKeeper and paddockd elect a leader and take writes
        through both, and a session created through paddockd (with an ephemeral) survives:
        same session id, never LOST, its ephemeral still there, it can still write."""
        kinds = {1: "zookeeper", 2: "zookeeper", 3: "paddock"}
        ens = self.ensemble(3, kinds=kinds, start=False, cfg={"maxSessionTimeout": 30000})
        ens.start([1, 2], timeout=90)
        self.assertIsNone(ens.mode(3))
        zk_leader = ens.leader()
        self.assertIn(zk_leader, (1, 2))
        root = "/join"
        w = self.client(ens.connect_string([1, 2]), auth_data=AUTH)
        eph_owner = self.client(ens.connect_string([1, 2]))
        w.create(root)
        for sub in ("data", "acl", "eph", "seq"):
            w.create("%s/%s" % (root, sub))
        futs = [w.create_async("%s/data/n-%03d" % (root, i), b"x" * (i * 7 % 900))
                for i in range(250)]
        for f in futs:
            f.get(timeout=60)
        futs = [w.set_async("%s/data/n-%03d" % (root, i), b"v%d" % j)
                for i in range(0, 250, 3) for j in range(1 + i % 4)]
        futs += [w.delete_async("%s/data/n-%03d" % (root, i)) for i in range(1, 250, 10)]
        for f in futs:
            f.get(timeout=60)
        acls = {
            "digest": [make_digest_acl("u1", "p1", all=True)],
            "auth": [make_acl("auth", "", all=True)],
            "ip": [make_acl("ip", "127.0.0.1", all=True)],
            "world-read": [make_acl("world", "anyone", read=True)],
            "no-read": [make_acl("world", "anyone", write=True, create=True, delete=True,
                                 admin=True)],
            "mixed": [make_acl("world", "anyone", read=True),
                      make_digest_acl("u1", "p1", all=True)],
        }
        for name, acl in sorted(acls.items()):
            for i in range(5):
                w.create("%s/acl/%s-%d" % (root, name, i), name.encode(), acl=acl)
        w.set_acls("%s/acl/mixed-0" % root, acls["digest"])  # aversion 1
        eph = ["%s/eph/e-%02d" % (root, i) for i in range(20)]
        for p in eph:
            eph_owner.create(p, b"eph", ephemeral=True)
        for i in range(40):
            w.create("%s/seq/p-" % root, b"%d" % i, sequence=True)
        for i in range(10):
            eph_owner.create("%s/seq/e-" % root, b"e", ephemeral=True, sequence=True)
        tx = w.transaction()
        tx.create("%s/multi" % root, b"m")
        tx.create("%s/multi/child" % root, b"c")
        tx.set_data("%s/data/n-000" % root, b"by-multi")
        tx.commit()

        before = full_dump(w, root)
        self.assertGreater(len(before), 300)
        ens.start(3, timeout=90)
        self.assertEqual(ens.mode(3), "follower")
        self.assertEqual(ens.leader(), zk_leader)
        # A learner at zxid 0 is older than anything in the leader's committed log, and
        # ZooKeeper's on-disk DIFF cannot start before its first txn: it sends a SNAP (its
        # snapshot stream), which paddockd loads and installs durably.
        with open(ens.member(3).log_path) as f:
            log3 = f.read()
        self.assertIn("event=snap_loaded", log3, "paddockd did not take ZooKeeper's SNAP")
        self.assertIn("event=snapshot_installed", log3)
        dumps = {}
        for s in ens.sids:
            c = self.client(ens.hostport(s), auth_data=AUTH)
            dumps[s] = full_dump(c, root)
        for s in (1, 2):
            self.assertEqual(set(dumps[3]), set(dumps[s]), "znode paths on paddockd vs "
                             "server.%d" % s)
            diff = [(p, dumps[s][p], dumps[3][p]) for p in sorted(dumps[s])
                    if dumps[s][p] != dumps[3][p]]
            self.assertEqual(diff[:5], [], "znodes differing between server.%d (ZooKeeper) "
                             "and paddockd: %d" % (s, len(diff)))
        self.assertEqual(dumps[3], before)
        owner = eph_owner.client_id[0]
        for p in eph:
            self.assertEqual(dumps[3][p][1][7], owner, "ephemeralOwner of %s" % p)

        # reads of new writes through paddockd, writes forwarded by paddockd
        zp = self.client(ens.hostport(3))
        w.create(root + "/via-zk", b"zk")
        zp.sync(root)
        self.assertEqual(zp.get(root + "/via-zk")[0], b"zk")
        _, st = zp.create(root + "/via-paddock", b"pd", include_data=True)
        w.sync(root)
        self.assertEqual(w.get(root + "/via-paddock")[0], b"pd")
        self.assertEqual(w.exists(root + "/via-paddock").czxid, st.czxid)

        # a session created through paddockd, with an ephemeral
        states = []
        zs = self.client(ens.hostport(3), timeout=self.session_timeout)
        zs.add_listener(states.append)
        sess = zs.client_id[0]
        zs.create(root + "/paddock-session", ephemeral=True)

        ens.kill9(zk_leader)
        other_zk = 3 - zk_leader
        new = ens.wait_leader(ELECTION_BOUND_S + 10, among=[other_zk, 3])
        sys.stderr.write("\n  after kill -9 of server.%d (ZooKeeper leader), server.%d (%s) "
                         "leads\n" % (zk_leader, new, ens.kinds[new]))
        zo = self.client(ens.hostport(other_zk))
        acked = []
        for who, c in (("paddock", zs), ("zookeeper", zo)):
            def write(c=c, who=who):
                try:
                    p = c.create("%s/after-kill-%s-" % (root, who), sequence=True)
                except (ConnectionLoss, KazooTimeoutError):
                    return None
                acked.append(p)
                return p
            wait_until(write, 30, interval=0.2,
                       what="a write through %s after the kill" % who)
        self.assertEqual(zs.client_id[0], sess)
        st = zs.exists(root + "/paddock-session")
        self.assertIsNotNone(st, "the ephemeral of the paddockd session is gone")
        self.assertEqual(st.ephemeralOwner, sess)
        self.assertNotIn("LOST", [str(x) for x in states], states)
        for s in (other_zk, 3):
            c = self.client(ens.hostport(s))
            c.sync(root)
            for p in acked:
                self.assertIsNotNone(c.exists(p), "%s through server.%d" % (p, s))
            self.assertEqual(c.exists(root + "/paddock-session").ephemeralOwner, sess)
        ens.wait_zxids_equal()

if __name__ == "__main__":
    main()
