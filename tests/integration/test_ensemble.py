"""Replicated ensembles of real server processes (harness/ensemble.py): election, replication
through any member, leader crash under load, follower catch-up past the committed log,
sessions and watches across members, quorum loss and recovery, observers, and a paused
(SIGSTOP) leader. Every member is the target (PADDOCK_TEST_TARGET); all of it passes against
Apache ZooKeeper 3.8.

Timings: tickTime 300 ms, initLimit 10, syncLimit 5 (a follower gives up on a silent leader
after 1.5 s), session timeouts 5 s.
"""

import os
import signal
import subprocess
import sys
import threading
import time

from kazoo.exceptions import ConnectionLoss, SessionExpiredError
from kazoo.handlers.threading import KazooTimeoutError
from kazoo.protocol.states import EventType

from harness import zkwire as z
from harness.base import main, wait_until
from harness.ensemble import EnsembleTestCase, Writer, dump_tree, epoch_of
from harness.servers import _die_with_parent

# A new leader must be serving this soon after the old one died (ZooKeeper 3.8 takes about
# 0.5 s here on an idle machine; the bound leaves room for a loaded 2-core CI box).
ELECTION_BOUND_S = 20.0


def _create_many(zk, paths, window=200, timeout=60.0):
    """Pipelines creates (`window` in flight); returns {path: czxid}. Any failure raises."""
    out = {}
    for i in range(0, len(paths), window):
        futs = [(p, zk.create_async(p, p.encode(), include_data=True))
                for p in paths[i:i + window]]
        for p, f in futs:
            _, st = f.get(timeout=timeout)
            out[p] = st.czxid
    return out


class Ensemble3(EnsembleTestCase):

    def test_one_leader_and_writes_through_any_member_replicate(self):
        """A 3-server ensemble elects exactly one leader (two followers); a write through
        each member is readable after sync through every member; sequential names issued
        through different members are unique and consecutive; every member reports the same
        Stat zxids for every znode and the same last zxid."""
        ens = self.ensemble(3)
        modes = ens.modes()
        self.assertEqual(sorted(modes.values()), ["follower", "follower", "leader"], modes)
        leader = ens.leader()
        self.assertEqual(sorted(ens.followers() + [leader]), [1, 2, 3])
        self.assertEqual(ens.observers(), [])

        clients = {s: self.client(ens.hostport(s)) for s in ens.sids}
        root = "/repl"
        clients[leader].create(root)
        written = {}
        for s, zk in clients.items():
            p = "%s/from-%d" % (root, s)
            zk.create(p, b"data-%d" % s)
            written[p] = b"data-%d" % s
        for s, zk in clients.items():
            zk.sync(root)
            for p, data in written.items():
                self.assertEqual(zk.get(p)[0], data, "%s read through server.%d" % (p, s))

        # sequential znodes created round-robin through the three members
        seq_root = root + "/seq"
        clients[leader].create(seq_root)
        names = []
        for i in range(30):
            s = ens.sids[i % 3]
            names.append(clients[s].create(seq_root + "/n-", b"%d" % i, sequence=True))
        self.assertEqual(names, ["%s/n-%010d" % (seq_root, i) for i in range(30)],
                         "sequence numbers must follow the order of the acknowledgements")

        tree = self.assert_same_tree(ens, root, expect_paths=list(written) + names)
        czxids = [tree[n][1] for n in names]
        self.assertEqual(czxids, sorted(set(czxids)), "czxids increase with the sequence")
        # all writes of this test are in the leader's epoch
        self.assertEqual({epoch_of(c) for c in czxids}, {epoch_of(ens.zxid(leader))})
        last = ens.wait_zxids_equal()
        self.assertGreaterEqual(last, max(czxids))

    def test_leader_kill9_under_load_loses_no_acknowledged_write(self):
        """kill -9 of the leader while two clients write (one bound to a follower, one with
        the whole connect string): a new leader serves within ELECTION_BOUND_S, both clients
        go on writing in the new epoch, no acknowledged create is lost on any member, and the
        killed server restarts and holds the same znodes as the others."""
        ens = self.ensemble(3)
        old = ens.leader()
        f1, f2 = ens.followers()
        zk_f = self.client(ens.hostport(f1))
        zk_all = self.client(ens.connect_string())
        root = "/load"
        zk_f.create(root)
        writers = [Writer(zk_f, root + "/f"), Writer(zk_all, root + "/all")]
        for w in writers:
            w.start()
        try:
            for w in writers:
                wait_until(lambda: len(w.acked) >= 50, 30, what="50 writes by " + w.prefix)
            old_epoch = epoch_of(writers[0].acked[-1][1])
            t0 = time.monotonic()
            ens.kill9(old)
            new = ens.wait_leader(ELECTION_BOUND_S + 10, among=[f1, f2])
            elapsed = time.monotonic() - t0
            sys.stderr.write("\n  new leader server.%d serving %.2fs after kill -9 of "
                             "server.%d\n" % (new, elapsed, old))
            self.assertLess(elapsed, ELECTION_BOUND_S)
            t_new = time.monotonic()
            for w in writers:
                wait_until(lambda: len(w.acked_since(t_new)) >= 50, 30,
                           what="50 more writes by %s after the election" % w.prefix)
        finally:
            for w in writers:
                w.stop()
        for w in writers:
            after = w.acked_since(t_new)
            self.assertTrue(all(epoch_of(c) > old_epoch for _, c, _ in after),
                            "writes acknowledged after the election are in a new epoch")
            czxids = [c for _, c, _ in w.acked]
            self.assertEqual(czxids, sorted(set(czxids)), "one client's acks in zxid order")

        ens.start(old)
        self.assertEqual(ens.mode(old), "follower")
        self.assertEqual(ens.leader(), new)
        acked = [p for w in writers for p, _, _ in w.acked]
        tree = self.assert_same_tree(ens, root, expect_paths=acked)
        for w in writers:
            for p, c, _ in w.acked:
                self.assertEqual(tree[p][1], c, "czxid of %s as acknowledged" % p)
        ens.wait_zxids_equal()

    def test_follower_catches_up_by_diff_and_past_the_committed_log(self):
        """A follower killed while writes go on catches up when it restarts: first after a
        few hundred txns, then after more than 500 (ZooKeeper's committed-log window, so the
        leader must send a SNAP or a DIFF from its on-disk log); creates, setData and deletes
        all arrive and every member holds the same znodes and last zxid."""
        ens = self.ensemble(3)
        leader = ens.leader()
        victim = ens.followers()[0]
        zk = self.client(ens.hostport(leader))
        root = "/catchup"
        zk.create(root)
        _create_many(zk, ["%s/pre-%04d" % (root, i) for i in range(50)])

        for rnd, count in ((1, 300), (2, 3000)):
            ens.wait_zxids_equal()
            victim_zxid = ens.zxid(victim)
            ens.kill9(victim)
            paths = ["%s/r%d-%05d" % (root, rnd, i) for i in range(count)]
            created = _create_many(zk, paths)
            # change and delete some of what the victim has and some of what it has not
            futs = [zk.set_async(p, b"changed") for p in paths[::7]]
            futs += [zk.set_async("%s/pre-%04d" % (root, i), b"changed-%d" % rnd)
                     for i in range(0, 50, 5)]
            futs += [zk.delete_async(p) for p in paths[3::11]]
            for f in futs:
                f.get(timeout=60)
            missed = ens.zxid(leader) - victim_zxid
            self.assertEqual(epoch_of(ens.zxid(leader)), epoch_of(victim_zxid))
            if rnd == 2:
                self.assertGreater(missed, 500, "the victim must miss more than 500 txns")
            ens.start(victim)
            self.assertEqual(ens.mode(victim), "follower")
            deleted = set(paths[3::11])
            tree = self.assert_same_tree(
                ens, root, expect_paths=[p for p in created if p not in deleted])
            for p in deleted:
                self.assertNotIn(p, tree)
            self.assertEqual(tree[paths[0]][0], b"changed")
            ens.wait_zxids_equal()

    def test_session_moves_to_another_member_and_expires_everywhere(self):
        """A client (its own process, kazoo, whole connect string) connected to follower A
        creates an ephemeral; A is killed -9; the client reconnects to another member within
        its session timeout and keeps its session (no LOST, same session id, the ephemeral
        stays past the timeout and the session can still write). Once the client process is
        killed -9, the session expires on every member, A restarted included: the ephemeral
        disappears everywhere, not before a good part of the timeout has passed."""
        ens = self.ensemble(3)
        a = ens.followers()[0]
        others = [s for s in ens.sids if s != a]
        order = [a] + others
        root = "/sess"
        admin = self.client(ens.connect_string(others))
        admin.create(root)
        child = _SessionChild(ens.connect_string(order), self.session_timeout)
        self.addCleanup(child.kill)
        sid_hex = "0x%x" % child.session_id
        wait_until(lambda: sid_hex in ens.member(a).four_letter("cons"), 10,
                   what="the client on server.%d (cons)" % a)
        eph = root + "/eph"
        self.assertEqual(child.command("create " + eph), "OK " + eph)

        mark = len(child.lines())
        ens.kill9(a)
        lost = child.wait_index("STATE SUSPENDED", 10, start=mark)
        child.wait_index("STATE CONNECTED", 3 * self.session_timeout, start=lost + 1)
        wait_until(lambda: any(sid_hex in ens.member(s).four_letter("cons") for s in others),
                   10, what="the session on another member")
        self.assertEqual(child.command("create %s/after-move" % root),
                         "OK %s/after-move" % root, "the moved session can write")
        self.assertEqual(child.command("id"), "OK %d" % child.session_id)
        # no expiry while the client lives: keep watching for 1.5 session timeouts
        deadline = time.monotonic() + 1.5 * self.session_timeout
        while time.monotonic() < deadline:
            st = admin.exists(eph)
            self.assertIsNotNone(st, "ephemeral vanished while its session was alive")
            self.assertEqual(st.ephemeralOwner, child.session_id)
            time.sleep(0.2)
        self.assertNotIn("STATE LOST", child.lines())

        ens.start(a)
        for s in ens.sids:
            self.assertEqual(dump_on_member_exists(ens, s, eph), child.session_id,
                             "ephemeral on server.%d before the client dies" % s)
        t_kill = time.monotonic()
        child.kill()
        watchers = {s: self.client(ens.hostport(s)) for s in ens.sids}
        for s, zk in watchers.items():
            wait_until(lambda: zk.exists(eph) is None, self.session_timeout + 15,
                       interval=0.1, what="the ephemeral gone on server.%d" % s)
        elapsed = time.monotonic() - t_kill
        sys.stderr.write("\n  session expired everywhere %.2fs after the client died "
                         "(timeout %.1fs)\n" % (elapsed, self.session_timeout))
        self.assertGreater(elapsed, self.session_timeout / 2,
                           "the session expired long before its timeout")
        for s, zk in watchers.items():
            zk.sync(root)
            self.assertIsNone(zk.exists(root + "/after-move"), "server.%d" % s)

    def test_watches_fire_on_a_member_other_than_the_writers(self):
        """Data, child and exists watches set through one follower fire when the change is
        written through the leader and through the other follower; after the event the
        watcher's own member shows the new state."""
        ens = self.ensemble(3)
        leader = ens.leader()
        watcher_sid, other = ens.followers()
        zw = self.client(ens.hostport(watcher_sid))
        root = "/watch"
        zw.create(root)
        for writer_sid in (leader, other):
            zk = self.client(ens.hostport(writer_sid))
            node = "%s/node-%d" % (root, writer_sid)
            new = "%s/new-%d" % (root, writer_sid)
            zk.create(node, b"v0")
            zw.sync(root)
            events = {}
            got = threading.Event()

            def cb(kind):
                def f(ev):
                    events[kind] = ev
                    if len(events) == 3:
                        got.set()
                return f
            self.assertEqual(zw.get(node, watch=cb("data"))[0], b"v0")
            zw.get_children(root, watch=cb("child"))
            self.assertIsNone(zw.exists(new, watch=cb("exists")))
            zk.set(node, b"v1")
            zk.create(new)
            self.assertTrue(got.wait(10), "watch events through server.%d for writes through "
                            "server.%d: %r" % (watcher_sid, writer_sid, events))
            self.assertEqual(events["data"].type, EventType.CHANGED)
            self.assertEqual(events["data"].path, node)
            self.assertEqual(events["child"].type, EventType.CHILD)
            self.assertEqual(events["child"].path, root)
            self.assertEqual(events["exists"].type, EventType.CREATED)
            self.assertEqual(events["exists"].path, new)
            self.assertEqual(zw.get(node)[0], b"v1")
            self.assertIsNotNone(zw.exists(new))


class Ensemble5(EnsembleTestCase):

    def test_quorum_of_five_survives_two_losses_not_three(self):
        """A 5-server ensemble keeps taking writes with 2 members killed; with 3 killed it
        has no quorum: a write through a survivor is not acknowledged (connection loss or
        timeout), the survivors stop serving and refuse new sessions; when the 3 return the
        ensemble serves again with every acknowledged write on all 5 members."""
        ens = self.ensemble(5)
        leader = ens.leader()
        followers = ens.followers()
        root = "/q5"
        zk = self.client(ens.hostport(leader))
        zk.create(root)
        acked = list(_create_many(zk, ["%s/all-%03d" % (root, i) for i in range(20)]))

        killed = followers[:2]
        for s in killed:
            ens.kill9(s)
        survivors = [s for s in ens.sids if s not in killed]
        self.assertEqual(ens.leader(), leader)
        for s in survivors:
            c = self.client(ens.hostport(s))
            acked += list(_create_many(c, ["%s/minus2-via%d-%03d" % (root, s, i)
                                           for i in range(20)]))

        third = followers[2]
        survivors = [s for s in ens.sids if s not in killed + [third]]
        zs = self.client(ens.connect_string(survivors))
        ens.kill9(third)
        killed.append(third)
        with self.assertRaises((ConnectionLoss, KazooTimeoutError, SessionExpiredError)):
            zs.create_async(root + "/no-quorum").get(timeout=15)
        zs.stop()  # drops anything still queued: its outcome stays unknown
        wait_until(lambda: all(ens.mode(s) is None for s in survivors), 20,
                   what="the survivors to stop serving")
        for s in survivors:
            w = z.WireClient(ens.member(s).address, io_timeout=3.0, handshake=False)
            try:
                w.send_raw(z.frame(z.connect_request(timeout_ms=5000)))
                w.recv_frame()
                err, _ = w.create(root + "/no-quorum-wire")
                self.fail("server.%d answered a create (err %d) without a quorum" % (s, err))
            except (z.ConnectionClosed, OSError):
                pass  # refused at the handshake (what ZooKeeper does) or no answer
            finally:
                w.close()

        ens.start(killed)
        ens.wait_serving(ens.sids)
        tree = self.assert_same_tree(ens, root, expect_paths=acked)
        self.assertNotIn(root + "/no-quorum-wire", tree)
        for s in ens.sids:
            c = self.client(ens.hostport(s))
            c.create("%s/back-via%d" % (root, s))
        self.assert_same_tree(ens, root,
                              expect_paths=["%s/back-via%d" % (root, s) for s in ens.sids])


class EnsembleObserver(EnsembleTestCase):

    def test_observer_serves_reads_forwards_writes_and_is_not_in_the_quorum(self):
        """3 participants + 1 observer: srvr says 'Mode: observer' on the observer; it
        serves reads of writes made elsewhere and forwards its clients' writes; killing it
        leaves the leader and its epoch in place and writes go on; restarted, it catches up."""
        ens = self.ensemble(3, observers=1)
        obs = ens.observer_sids[0]
        self.assertEqual(ens.mode(obs), "observer")
        self.assertEqual(ens.observers(), [obs])
        leader = ens.leader()
        self.assertIn(leader, ens.participant_sids)
        self.assertEqual(sorted(ens.followers() + [leader]), ens.participant_sids)

        zo = self.client(ens.hostport(obs))
        zl = self.client(ens.hostport(leader))
        root = "/obs"
        zl.create(root)
        zl.create(root + "/from-leader", b"L")
        zo.sync(root)
        self.assertEqual(zo.get(root + "/from-leader")[0], b"L")
        _, st = zo.create(root + "/from-observer", b"O", include_data=True)
        for s in ens.participant_sids:
            c = self.client(ens.hostport(s))
            c.sync(root)
            self.assertEqual(c.get(root + "/from-observer")[0], b"O", "server.%d" % s)
        epoch = epoch_of(st.czxid)

        ens.kill9(obs)
        _, st2 = zl.create(root + "/after-observer", include_data=True)
        self.assertEqual(epoch_of(st2.czxid), epoch, "no new epoch without the observer")
        self.assertEqual(ens.leader(), leader)
        self.assertEqual(sorted(ens.modes(ens.participant_sids).values()),
                         ["follower", "follower", "leader"])
        acked = list(_create_many(zl, ["%s/n-%03d" % (root, i) for i in range(100)]))
        ens.start(obs)
        self.assertEqual(ens.mode(obs), "observer")
        self.assert_same_tree(ens, root, expect_paths=acked + [root + "/after-observer"])


class EnsemblePausedLeader(EnsembleTestCase):

    def test_sigstopped_leader_is_replaced_and_rejoins_as_follower(self):
        """The leader is paused (SIGSTOP) for longer than syncLimit*tickTime while a client
        writes through the followers: they elect a new leader in a higher epoch. Creates
        sent to the paused leader on a session opened there are never acknowledged by it;
        after SIGCONT it rejoins as a follower, those creates exist nowhere, and every
        acknowledged write is on all three members."""
        ens = self.ensemble(3)
        old = ens.leader()
        f1, f2 = ens.followers()
        root = "/pause"
        zk = self.client(ens.connect_string([f1, f2]))
        zk.create(root)
        w = z.WireClient(ens.member(old).address, timeout_ms=int(self.session_timeout * 1000))
        self.addCleanup(w.close)
        err, (_, st) = w.create2(root + "/before-pause")
        self.assertEqual(err, 0)
        old_epoch = epoch_of(st.czxid)
        writer = Writer(zk, root + "/w")
        writer.start()
        try:
            wait_until(lambda: len(writer.acked) >= 20, 30, what="20 writes")
            t0 = time.monotonic()
            ens.sigstop(old)
            paused_paths = ["%s/to-paused-%d" % (root, i) for i in range(5)]
            xids = [w.send(z.OP["create"], z.rec_create(p, b"x")) for p in paused_paths]
            new = ens.wait_leader(ELECTION_BOUND_S + 10, among=[f1, f2])
            elapsed = time.monotonic() - t0
            sys.stderr.write("\n  server.%d leads %.2fs after server.%d was paused "
                             "(syncLimit*tickTime = %.1fs)\n"
                             % (new, elapsed, old, ens.sync_limit * ens.tick_ms / 1000))
            self.assertLess(elapsed, ELECTION_BOUND_S)
            t_new = time.monotonic()
            wait_until(lambda: len(writer.acked_since(t_new)) >= 30, 30,
                       what="30 writes through the new leader")
            new_epoch = epoch_of(writer.acked[-1][1])
            self.assertGreater(new_epoch, old_epoch)

            ens.sigcont(old)
            answers = []
            try:
                while True:
                    p = w.recv_packet(timeout=15)
                    if p.xid in xids:
                        answers.append((p.xid, p.zxid, p.err))
            except (z.ConnectionClosed, OSError) as e:
                ended = e
            sys.stderr.write("  the paused leader's answers to %d creates: %r, then %r\n"
                             % (len(xids), answers, ended))
            acked_by_old = [a for a in answers if a[2] == 0]
            self.assertEqual(acked_by_old, [], "the deposed leader acknowledged writes")
            ens.wait_serving(ens.sids)
            self.assertEqual(ens.mode(old), "follower")
            self.assertEqual(ens.leader(), new)
            t_back = time.monotonic()
            wait_until(lambda: len(writer.acked_since(t_back)) >= 20, 30,
                       what="20 writes after the old leader is back")
        finally:
            writer.stop()
        acked = [root + "/before-pause"] + [p for p, _, _ in writer.acked]
        tree = self.assert_same_tree(ens, root, expect_paths=acked)
        for p in paused_paths:
            self.assertNotIn(p, tree, "a create sent only to the paused leader was applied")
        self.assertTrue(all(epoch_of(c) >= new_epoch for _, c, _ in writer.acked_since(t_new)))
        zo = self.client(ens.hostport(old))
        _, st = zo.create(root + "/via-old", include_data=True)
        self.assertGreaterEqual(epoch_of(st.czxid), new_epoch)


# --- helpers ------------------------------------------------------------------------------
def dump_on_member_exists(ens, sid, path):
    """ephemeralOwner of `path` as member `sid` sees it after a sync, None if absent."""
    from harness.ensemble import kazoo_client, stop_kazoo
    zk = kazoo_client(ens.hostport(sid), timeout=5.0)
    try:
        zk.sync(path)
        st = zk.exists(path)
        return None if st is None else st.ephemeralOwner
    finally:
        stop_kazoo(zk)


_CHILD = r"""
import sys, threading
from kazoo.client import KazooClient
lock = threading.Lock()
def say(*words):  # one whole line at a time: kazoo's thread reports states concurrently
    with lock:
        sys.stdout.write(" ".join(str(w) for w in words) + "\n")
        sys.stdout.flush()
hosts, timeout = sys.argv[1], float(sys.argv[2])
zk = KazooClient(hosts=hosts, timeout=timeout, randomize_hosts=False,
                 connection_retry={"max_tries": -1, "delay": 0.05, "max_delay": 0.5})
zk.add_listener(lambda state: say("STATE", state))
zk.start(timeout=30)
say("SESSION", zk.client_id[0])
for line in sys.stdin:
    cmd = line.split()
    try:
        if cmd[0] == "create":
            say("OK", zk.create(cmd[1], ephemeral=True))
        elif cmd[0] == "id":
            say("OK", zk.client_id[0])
    except Exception as e:
        say("ERR", type(e).__name__, e)
"""


class _SessionChild:
    """A kazoo client in its own process (so it can be killed -9 without closing its
    session). Prints STATE changes, SESSION id, and OK/ERR for each stdin command."""

    def __init__(self, hosts, timeout):
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", "-c", _CHILD, hosts, str(timeout)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
            preexec_fn=_die_with_parent)
        self._lines = []
        self._eof = False
        self._cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        line = self.wait_line("SESSION ", 30)
        self.session_id = int(line.split()[1])

    def _read(self):
        try:
            for line in self.proc.stdout:
                with self._cond:
                    self._lines.append(line.rstrip("\n"))
                    self._cond.notify_all()
        except (OSError, ValueError):  # closed by kill()
            pass
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def lines(self):
        with self._cond:
            return list(self._lines)

    def wait_line(self, prefix, timeout, start=0):
        return self._lines[self.wait_index(prefix, timeout, start)]

    def wait_index(self, prefix, timeout, start=0):
        """Index of the first line at or after `start` that starts with `prefix`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i in range(start, len(self._lines)):
                    if self._lines[i].startswith(prefix):
                        return i
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    raise AssertionError("no %r from the client process (exit status %s); "
                                         "it printed:\n%s" % (prefix, self.proc.poll(),
                                                              "\n".join(self._lines)))
                self._cond.wait(min(left, 0.5))

    def command(self, cmd, timeout=30):
        with self._cond:
            start = len(self._lines)
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for l in self._lines[start:]:
                    if l.startswith("OK") or l.startswith("ERR"):
                        return l
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no answer to %r; the client printed:\n%s"
                                         % (cmd, "\n".join(self._lines)))
                self._cond.wait(left)

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except (OSError, ValueError):
                pass


if __name__ == "__main__":
    main()
