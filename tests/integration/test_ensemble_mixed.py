"""Paddock members in one ensemble with Apache ZooKeeper 3.8 members (harness/ensemble.py,
`kinds=`): they elect one leader, replicate every write both ways, and survive a kill -9 of
the leader under load, whichever kind leads.

Two line-ups, each in its own class: 2 ZooKeeper + 1 Paddock (server.3 is Paddock) and
1 ZooKeeper + 2 Paddock (server.3 is ZooKeeper). When every member starts at zxid 0 the
highest sid usually wins the first election, so the first line-up usually starts with a
Paddock leader and ZooKeeper followers, the second with a ZooKeeper leader and Paddock
followers, and killing that leader hands leadership to the other kind; the tests pass
whoever leads and print which kind led.

Runs only with PADDOCK_TEST_TARGET=paddock (the default): with the zookeeper target there
is no Paddock to mix in, so the tests are skipped.
"""

import sys
import time
import unittest

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

if __name__ == "__main__":
    main()
