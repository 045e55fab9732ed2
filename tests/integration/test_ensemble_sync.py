"""How a member that was away is brought back in sync (harness/ensemble.py, real processes):
the old leader rejoins by DIFF after a short absence and by SNAP after a long one (and the
installed snapshot survives a kill -9), a member holding a txn no quorum ever committed is
truncated (TRUNC), and zkCli.sh works through every member of an ensemble.

Every test passes against Apache ZooKeeper 3.8 (PADDOCK_TEST_TARGET=zookeeper). Which kind of
sync happened is read from the members' logs: Paddock's `event=snap_sent` (leader),
`event=snap_loaded`, `event=snapshot_installed`, `event=log_truncated` (learner); ZooKeeper's
learner messages "Getting a diff from the leader", "Getting a snapshot from leader",
"Truncating log to get in sync with the leader" (its log level is raised to info here).

Timings: tickTime 300 ms, initLimit 10, syncLimit 5.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import threading
import time

from harness import zkwire as z
from harness.base import main, wait_until
from harness.clis import run_zkcli
from harness.ensemble import EnsembleTestCase, epoch_of
from harness.servers import ZK_CLASSPATH, paddockd_path, target

PADDOCK = target() == "paddock"
# ZooKeeper logs which sync a learner got at info level; the harness runs it at warn.
LOG_PROPS = {} if PADDOCK else {"org.slf4j.simpleLogger.defaultLogLevel": "info"}
ELECTION_BOUND_S = 20.0

ZK_SYNC_MESSAGES = {
    "DIFF": "Getting a diff from the leader",
    "SNAP": "Getting a snapshot from leader",
    "TRUNC": "Truncating log to get in sync with the leader",
}


# --- logs ---------------------------------------------------------------------------------
class LogMarks:
    """Byte offsets of every member's server.log at one moment; since(sid) reads what the
    member logged after it."""

    def __init__(self, ens):
        self.ens = ens
        self.offsets = {}
        for sid in ens.sids:
            try:
                self.offsets[sid] = os.path.getsize(ens.member(sid).log_path)
            except OSError:
                self.offsets[sid] = 0

    def since(self, sid):
        with open(self.ens.member(sid).log_path, "rb") as f:
            f.seek(self.offsets[sid])
            return f.read().decode(errors="replace")


def paddock_events(text, name):
    """[{key: value}] of the Paddock log lines with event=`name` (values unquoted)."""
    out = []
    for line in text.splitlines():
        if re.search(r"\bevent=%s\b" % re.escape(name), line):
            out.append({k: v.strip('"') for k, v in
                        re.findall(r'(\w+)=("[^"]*"|\S+)', line)})
    return out


def zk_syncs(text):
    """The kinds of sync ('DIFF', 'SNAP', 'TRUNC') a ZooKeeper learner logged, in order."""
    found = []
    for line in text.splitlines():
        for kind, msg in ZK_SYNC_MESSAGES.items():
            if msg in line:
                found.append(kind)
    return found


def logged_txn_paths(srv):
    """Paths of the create txns in a stopped member's txn log files (Paddock: `paddock log
    dump`; ZooKeeper: its TxnLogToolkit)."""
    paths = []
    if srv.kind == "paddock":
        tool = os.path.join(os.path.dirname(paddockd_path()), "paddock")
        for f in sorted(glob.glob(os.path.join(srv.data_dir, "paddock-log", "log.*"))):
            out = subprocess.run([tool, "log", "dump", f], capture_output=True, text=True,
                                 timeout=60).stdout
            paths += re.findall(r" create path=(\S+)", out)
    else:
        for f in sorted(glob.glob(os.path.join(srv.data_dir, "version-2", "log.*"))):
            out = subprocess.run(
                ["java", "-cp", ZK_CLASSPATH,
                 "org.apache.zookeeper.server.persistence.TxnLogToolkit", "-d", f],
                capture_output=True, text=True, timeout=60).stdout
            paths += re.findall(r" create2? (/[^,\s]*)", out)
    return paths


def _create_many(zk, paths, window=200, timeout=60.0, data=None):
    """Pipelined creates; returns {path: czxid}. Any failure raises."""
    out = {}
    for i in range(0, len(paths), window):
        futs = [(p, zk.create_async(p, p.encode() if data is None else data,
                                    include_data=True))
                for p in paths[i:i + window]]
        for p, f in futs:
            _, st = f.get(timeout=timeout)
            out[p] = st.czxid
    return out


class EnsembleSync(EnsembleTestCase):

    def ensemble(self, participants=3, observers=0, **kw):
        props = dict(LOG_PROPS)
        props.update(kw.pop("props", {}) or {})
        return super().ensemble(participants, observers, props=props, **kw)

    def assert_synced_by(self, ens, marks, leader, sid, kind):
        """The member `sid` (restarted after `marks`) was synced by `kind` ('DIFF' or 'SNAP')
        as its own log and the leader's log tell."""
        mine = marks.since(sid)
        led = marks.since(leader)
        if ens.kinds[sid] == "paddock":
            sent = [e for e in paddock_events(led, "snap_sent") if e.get("to") == str(sid)]
            loaded = paddock_events(mine, "snap_loaded")
            truncated = paddock_events(mine, "log_truncated")
            if kind == "DIFF":
                self.assertEqual(sent, [], "the leader sent server.%d a SNAP" % sid)
                self.assertEqual(loaded, [], "server.%d loaded a SNAP" % sid)
                self.assertEqual(truncated, [], "server.%d truncated its log" % sid)
            else:
                self.assertEqual(len(sent), 1, "one SNAP to server.%d in the leader's log"
                                 % sid)
                self.assertEqual(len(loaded), 1, "server.%d loaded one SNAP" % sid)
                self.assertEqual(loaded[0]["zxid"], sent[0]["zxid"])
        else:
            self.assertEqual(zk_syncs(mine), [kind],
                             "the syncs server.%d (ZooKeeper) logged" % sid)

    def _leader_away_and_tree(self, ens, root, paths):
        """Creates `root` and `paths` through the leader, everywhere; returns the leader, the
        follower with the lowest sid (the one a test takes away) and a client of the leader."""
        leader = ens.leader()
        away = min(s for s in ens.sids if s != leader)
        zk = self.client(ens.hostport(leader))
        zk.create(root)
        _create_many(zk, paths)
        ens.wait_zxids_equal()
        return leader, away, zk

    # ------------------------------------------------------------------------------------
    def test_old_leader_rejoins_by_diff(self):
        """kill -9 of the (idle) leader, 100 creates, 20 setData and 10 deletes through the
        new leader, restart of the old one: it rejoins as a follower with the same tree and
        last zxid as the others, and it was synced by DIFF: no SNAP was sent to it or loaded
        by it, its log was not truncated (ZooKeeper: its log says 'Getting a diff')."""
        ens = self.ensemble(3)
        old = ens.leader()
        others = [s for s in ens.sids if s != old]
        root = "/rejoin-diff"
        zk_old = self.client(ens.hostport(old))
        zk_old.create(root)
        _create_many(zk_old, ["%s/pre-%03d" % (root, i) for i in range(50)])
        zk_old.stop()
        ens.wait_zxids_equal()
        old_zxid = ens.zxid(old)

        ens.kill9(old)
        new = ens.wait_leader(ELECTION_BOUND_S + 10, among=others)
        zk = self.client(ens.connect_string(others))
        paths = ["%s/new-%03d" % (root, i) for i in range(100)]
        created = _create_many(zk, paths)
        for f in [zk.set_async(p, b"changed") for p in paths[::5]]:
            f.get(timeout=30)
        for f in [zk.delete_async("%s/pre-%03d" % (root, i)) for i in range(0, 50, 5)]:
            f.get(timeout=30)
        self.assertGreater(epoch_of(max(created.values())), epoch_of(old_zxid))

        marks = LogMarks(ens)
        ens.start(old)
        self.assertEqual(ens.mode(old), "follower")
        self.assertEqual(ens.leader(), new)
        tree = self.assert_same_tree(ens, root, expect_paths=paths)
        self.assertEqual(tree[paths[0]][0], b"changed")
        self.assertNotIn(root + "/pre-000", tree)
        ens.wait_zxids_equal()
        self.assert_synced_by(ens, marks, new, old, "DIFF")

    def test_follower_far_behind_rejoins_by_one_diff(self):
        """A follower stopped while 60,000 setData go through the leader, with the DIFF limit
        raised (zookeeper.snapshotSizeFactor) so that they are sent as one DIFF: 120,000
        packets (PROPOSAL and COMMIT each), more than a quorum link's 100,000-packet send
        limit. The follower rejoins by DIFF with every write. (Paddock closed the link as
        "send queue full" and the learner dialed again into the same DIFF, for ever.)"""
        ens = self.ensemble(3, props={"zookeeper.snapshotSizeFactor": "1000"})
        root = "/far-behind"
        keys = ["%s/k%02d" % (root, i) for i in range(50)]
        leader, away, zk = self._leader_away_and_tree(ens, root, keys)
        ens.kill9(away)
        writes = 60000
        window = 500
        for i in range(0, writes, window):
            futs = [zk.set_async(keys[j % len(keys)], b"v%d" % j) for j in range(i, i + window)]
            for f in futs:
                f.get(timeout=60)
        marks = LogMarks(ens)
        ens.start(away)
        self.assertEqual(ens.mode(away), "follower")
        ens.wait_zxids_equal(timeout=60)
        tree = self.assert_same_tree(ens, root, expect_paths=keys)
        self.assertEqual(tree[keys[(writes - 1) % len(keys)]][0], b"v%d" % (writes - 1))
        self.assert_synced_by(ens, marks, leader, away, "DIFF")
        if ens.kinds[leader] == "paddock":
            reads = paddock_events(marks.since(leader), "diff_read")
            self.assertEqual(len(reads), 1, "the leader read the DIFF from its log once")

    def test_member_with_a_wiped_data_dir_rejoins_by_snap(self):
        """A follower whose dataDir was wiped (a replaced disk: only myid is left) rejoins
        with zxid 0, while the leader's log no longer reaches back to its first txn: 1,000
        creates with snapCount=100 and (Paddock) autopurge keeping 3 snapshots every 300 ms
        removed its first log files. The DIFF limit is raised so that only the log's reach
        decides. The member gets a SNAP and holds every node. (Paddock's leader took a log
        read from zxid 0 for contiguous whatever its first record, and sent a DIFF without
        the purged txns.)"""
        ens = self.ensemble(3, cfg={"snapCount": 100, "autopurge.snapRetainCount": 3},
                            props={"paddock.autopurge.intervalMs": "300",
                                   "zookeeper.snapshotSizeFactor": "1000"})
        root = "/wiped"
        paths = ["%s/n%04d" % (root, i) for i in range(1000)]
        leader, away, _ = self._leader_away_and_tree(ens, root, paths)
        if ens.kinds[leader] == "paddock":
            log_dir = os.path.join(ens.member(leader).data_dir, "paddock-log")

            def first_segment_zxid():
                names = [os.path.basename(f) for f in glob.glob(os.path.join(log_dir, "log.*"))]
                return min(int(n.split(".")[1], 16) for n in names) if names else 0

            wait_until(lambda: first_segment_zxid() > ens.zxid(leader) - 800, timeout=30,
                       what="the leader's first log files purged")
        ens.stop(away)
        data_dir = ens.member(away).data_dir
        for entry in os.listdir(data_dir):
            if entry == "myid":
                continue
            full = os.path.join(data_dir, entry)
            if os.path.isdir(full):
                shutil.rmtree(full)
            else:
                os.remove(full)
        marks = LogMarks(ens)
        ens.start(away)
        ens.wait_zxids_equal(timeout=60)
        self.assert_same_tree(ens, root, expect_paths=paths)
        self.assert_synced_by(ens, marks, leader, away, "SNAP")

    def test_old_leader_rejoins_by_snap_after_a_long_absence(self):
        """kill -9 of the leader, then 600 setData of 8 KB each through the new leader: more
        than the 500 txns the leader keeps in memory, and a DIFF from its log files would be
        ~4.8 MB, far above snapshotSizeFactor (0.33, the default) times the size of a
        snapshot of this small tree (snapCount=100 so that ZooKeeper rolls its log: it
        weighs only the log files after the first one it reads, so with a single file it
        always sends a DIFF), so the restarted old leader gets a SNAP (Paddock:
        snap_sent to it, snap_loaded and snapshot_installed in its log; ZooKeeper: 'Getting a
        snapshot'); same tree everywhere. Then 20 more creates, kill -9 of that member and a
        restart: it recovers from the installed snapshot plus its log (Paddock: event=recovered
        names the installed snapshot file and the last zxid; ZooKeeper: a snapshot file at
        least as new as the SNAP) and is synced by DIFF, not a second SNAP."""
        ens = self.ensemble(3, cfg={"snapCount": 100})
        old = ens.leader()
        others = [s for s in ens.sids if s != old]
        root = "/rejoin-snap"
        zk_old = self.client(ens.hostport(old))
        zk_old.create(root)
        _create_many(zk_old, ["%s/pre-%03d" % (root, i) for i in range(50)])
        zk_old.stop()
        ens.wait_zxids_equal()

        ens.kill9(old)
        new = ens.wait_leader(ELECTION_BOUND_S + 10, among=others)
        zk = self.client(ens.connect_string(others))
        big = root + "/big"
        zk.create(big)
        payload = bytes(range(256)) * 32  # 8 KB
        n_sets = 600
        for i in range(0, n_sets, 100):
            futs = [zk.set_async(big, payload[:-1] + bytes([j % 256]))
                    for j in range(i, i + 100)]
            for f in futs:
                f.get(timeout=60)
        _create_many(zk, ["%s/new-%03d" % (root, i) for i in range(30)])

        marks = LogMarks(ens)
        ens.start(old, timeout=120)
        # A leader that stalls while it picks this sync stops pinging its other follower;
        # past syncLimit*tickTime (1.5 s) that follower drops it, and the rejoining member
        # (highest sid, same zxid once synced) may win the next election: mode 'leader' here.
        self.assertEqual(ens.mode(old), "follower")
        self.assertEqual(ens.leader(), new)
        tree = self.assert_same_tree(ens, root)
        self.assertEqual(tree[big][4], n_sets, "dataVersion of %s" % big)
        self.assert_synced_by(ens, marks, new, old, "SNAP")
        srv = ens.member(old)
        if srv.kind == "paddock":
            installed = paddock_events(marks.since(old), "snapshot_installed")
            self.assertEqual(len(installed), 1, "server.%d installed the SNAP durably" % old)
            snap_file = installed[0]["file"]
            snap_zxid = int(installed[0]["zxid"], 16)
            self.assertTrue(os.path.exists(snap_file), snap_file)
        else:
            m = re.search(r"Getting a snapshot from leader 0x([0-9a-f]+)", marks.since(old))
            snap_zxid = int(m.group(1), 16)

        # the state installed by SNAP (plus txns logged on top of it) survives kill -9
        zk.create(root + "/after-snap")
        _create_many(zk, ["%s/after-snap/n-%02d" % (root, i) for i in range(20)])
        last = ens.wait_zxids_equal()
        if srv.kind == "zookeeper":
            snaps = [int(f.rsplit(".", 1)[1], 16) for f in
                     glob.glob(os.path.join(srv.data_dir, "version-2", "snapshot.*"))]
            self.assertTrue(snaps and max(snaps) >= snap_zxid,
                            "ZooKeeper saved no snapshot at or above the SNAP's 0x%x: %s"
                            % (snap_zxid, [hex(x) for x in snaps]))
        ens.kill9(old)
        marks2 = LogMarks(ens)
        ens.start(old, timeout=120)
        self.assertEqual(ens.mode(old), "follower")
        if srv.kind == "paddock":
            rec = paddock_events(marks2.since(old), "recovered")
            self.assertEqual(len(rec), 1, "one event=recovered after the restart")
            self.assertEqual(int(rec[0]["snapshot_zxid"], 16), snap_zxid)
            self.assertEqual(rec[0]["snapshot"], snap_file)
            self.assertEqual(int(rec[0]["last_zxid"], 16), last,
                             "the restarted member recovered every txn it had acked")
        self.assert_synced_by(ens, marks2, new, old, "DIFF")
        self.assert_same_tree(ens, root, expect_paths=[root + "/after-snap/n-19"])
        ens.wait_zxids_equal()

    def test_snap_sent_while_writes_go_on(self):
        """A SNAP while a client keeps writing through the leader: kill -9 of a follower,
        600 setData of 8 KB (so it needs a SNAP), then its restart while a writer thread
        creates znodes through the leader without pause. The member rejoins as a follower
        synced by SNAP; every create acknowledged during the sync is on all three members
        and the trees agree. Paddock's leader is told to fork for every SNAP
        (paddock.snap.forkMinNodes=0): its log shows the child made the body
        (event=snap_forked, then event=snap_body_made)."""
        props = {"paddock.snap.forkMinNodes": "0"} if PADDOCK else {}
        ens = self.ensemble(3, cfg={"snapCount": 100}, props=props)
        leader = ens.leader()
        away = max(s for s in ens.sids if s != leader)
        root = "/snap-under-load"
        zk = self.client(ens.hostport(leader))
        zk.create(root)
        _create_many(zk, ["%s/pre-%04d" % (root, i) for i in range(2000)], data=b"x" * 100)
        ens.wait_zxids_equal()
        ens.kill9(away)
        big = root + "/big"
        zk.create(big)
        payload = bytes(range(256)) * 32  # 8 KB
        for i in range(0, 600, 100):
            for f in [zk.set_async(big, payload[:-1] + bytes([j % 256]))
                      for j in range(i, i + 100)]:
                f.get(timeout=60)

        stop = threading.Event()
        acked = []
        errors = []

        w = self.client(ens.hostport(leader))

        def writer():
            n = 0
            while not stop.is_set():
                try:
                    path = "%s/during-%05d" % (root, n)
                    w.create(path, b"d")
                    acked.append(path)
                    n += 1
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(repr(e))
                    return

        marks = LogMarks(ens)
        t = threading.Thread(target=writer, daemon=True)
        t.start()
        wait_until(lambda: len(acked) >= 20, 30, what="the writer's first creates")
        ens.start(away, timeout=120)
        self.assertEqual(ens.mode(away), "follower")
        at_rejoin = len(acked)
        wait_until(lambda: len(acked) >= at_rejoin + 100, 60, what="writes after the rejoin")
        stop.set()
        t.join(30)
        self.assertEqual(errors, [], "the writer failed during the sync")
        self.assert_synced_by(ens, marks, leader, away, "SNAP")
        ens.wait_zxids_equal()
        self.assert_same_tree(ens, root, expect_paths=acked)
        if PADDOCK:
            led = marks.since(leader)
            self.assertEqual(len(paddock_events(led, "snap_forked")), 1, led[-3000:])
            self.assertEqual(len(paddock_events(led, "snap_body_made")), 1, led[-3000:])

    def test_follower_with_uncommitted_txn_is_truncated(self):
        """The leader logs a create no quorum has (both followers paused by SIGSTOP, the
        create sent on a session opened before the pause stays unanswered for 200 ms), then
        both followers and the leader are killed -9 (the proposal in the followers' socket
        buffers is lost). The txn is in the old leader's log file. The two followers restart
        and elect a leader in a new epoch; before any write in that epoch the old leader
        restarts and rejoins: Paddock truncates its log (event=log_truncated to the last
        committed zxid, no SNAP sent); ZooKeeper truncates or takes a SNAP. The uncommitted
        znode exists on no member, the trees are equal, and a write through every member
        works. (Session timeouts of 90 s: no session may expire, and no other client may
        connect, before the old leader is back, else the new epoch has a txn and the leader
        must answer SNAP.)"""
        ens = self.ensemble(3, cfg={"maxSessionTimeout": 120000})
        old = ens.leader()
        f1, f2 = ens.followers()
        root = "/trunc"
        w = z.WireClient(ens.member(old).address, timeout_ms=90000)
        self.addCleanup(w.close)
        self.assertEqual(w.create(root)[0], 0)
        for i in range(20):
            self.assertEqual(w.create("%s/c-%02d" % (root, i), b"v")[0], 0)
        committed = ens.wait_zxids_equal()
        old_epoch = epoch_of(committed)

        ens.sigstop(f1)
        ens.sigstop(f2)
        doomed = root + "/uncommitted"
        xid = w.send(z.OP["create"], z.rec_create(doomed, b"never"))
        try:
            p = w.recv_packet(timeout=0.2)
            self.fail("the leader answered a create no follower could ack: %r" % p)
        except OSError:  # socket.timeout: unanswered, as it must be
            pass
        ens.kill9(f1)
        ens.kill9(f2)
        ens.kill9(old)
        w.close()
        self.assertIn(doomed, logged_txn_paths(ens.member(old)),
                      "the old leader did not log the create (the test needs it logged)")
        for s in (f1, f2):
            self.assertNotIn(doomed, logged_txn_paths(ens.member(s)),
                             "server.%d logged the create" % s)

        ens.start([f1, f2], timeout=60)
        new = ens.wait_leader(ELECTION_BOUND_S + 10, among=[f1, f2])
        marks = LogMarks(ens)
        ens.start(old, timeout=60)
        self.assertEqual(ens.mode(old), "follower")
        self.assertEqual(ens.leader(), new)
        mine, led = marks.since(old), marks.since(new)
        if ens.kinds[old] == "paddock":
            truncs = paddock_events(mine, "log_truncated")
            sent = [e for e in paddock_events(led, "snap_sent") if e.get("to") == str(old)]
            self.assertEqual(sent, [], "the leader sent a SNAP, not TRUNC")
            self.assertEqual(len(truncs), 1, "server.%d did not truncate its log" % old)
            self.assertEqual(int(truncs[0]["zxid"], 16), committed)
            self.assertEqual(truncs[0]["dropped"], "1")
        else:
            syncs = zk_syncs(mine)
            sys.stderr.write("\n  ZooKeeper synced the old leader by %s\n" % syncs)
            self.assertIn(syncs, (["TRUNC"], ["SNAP"]))

        tree = self.assert_same_tree(ens, root,
                                     expect_paths=["%s/c-%02d" % (root, i) for i in range(20)])
        self.assertNotIn(doomed, tree, "an uncommitted create survived")
        for s in ens.sids:
            zk = self.client(ens.hostport(s))
            _, st = zk.create("%s/after-%d" % (root, s), include_data=True)
            self.assertGreater(epoch_of(st.czxid), old_epoch)
        tree = self.assert_same_tree(ens, root,
                                     expect_paths=["%s/after-%d" % (root, s) for s in ens.sids])
        self.assertNotIn(doomed, tree)

    def test_zkcli_through_every_member(self):
        """zkCli.sh (one JVM per member) creates a node through each member of a 3-server
        ensemble; then, through each member, `sync`, `ls`, `get` and `stat` of every node
        print the same thing (a write through one member is seen through the others), and
        the data is what was written."""
        ens = self.ensemble(3)
        root = "/zkcli"
        run_zkcli(ens.hostport(ens.leader()), ["create %s r" % root])
        for s in ens.sids:
            out, err = run_zkcli(ens.hostport(s), ["create %s/from-%d data-%d" % (root, s, s)])
            self.assertIn("Created %s/from-%d" % (root, s), err, "through server.%d" % s)
        outputs = {}
        for s in ens.sids:
            cmds = ["sync %s" % root, "ls %s" % root]
            for t in ens.sids:
                cmds += ["get %s/from-%d" % (root, t), "stat %s/from-%d" % (root, t)]
            out, err = run_zkcli(ens.hostport(s), cmds)
            lines = [l for l in out.splitlines()
                     if not l.startswith(("[zk:", "WATCHER::", "WatchedEvent", "Welcome",
                                          "JLine", "Connecting to")) and l.strip()]
            self.assertIn("Sync is OK", lines, "through server.%d: %s %s" % (s, out, err))
            self.assertIn("[from-1, from-2, from-3]", lines, "ls through server.%d" % s)
            for t in ens.sids:
                self.assertIn("data-%d" % t, lines, "get through server.%d" % s)
            self.assertEqual(sum(1 for l in lines if l.startswith("cZxid = ")), 3)
            outputs[s] = lines
        first = outputs[ens.sids[0]]
        for s in ens.sids[1:]:
            self.assertEqual(outputs[s], first,
                             "zkCli output through server.%d differs from server.%d"
                             % (s, ens.sids[0]))


if __name__ == "__main__":
    main()
