"""A replicated ensemble of real server processes on loopback: paddockd, Apache ZooKeeper 3.8,
or a mix of both, configured exactly as ZooKeeper reads it (zoo.cfg with server.N lines,
dataDir/myid).

    ens = Ensemble(participants=3, observers=1)      # kind from PADDOCK_TEST_TARGET
    ens = Ensemble(3, kinds={1: "zookeeper", 2: "zookeeper", 3: "paddock"})  # mixed
    ens.leader(); ens.mode(2); ens.kill9(ens.leader()); ens.wait_leader(); ens.restart(1)
    ens.close()

Sids are 1..participants for the participants and then the observers. Every member gets a
client, a quorum and an election port of its own; its dir (zoo.cfg, data/myid, server.log)
is a subdirectory of the ensemble's temp dir, removed by close() (and at exit). Processes
are started by the calling thread with PR_SET_PDEATHSIG (servers.py), so start and restart
members from the main test thread: a member started from a short-lived thread dies with it.

Mode, leader and zxid all come from each member's `srvr` answer ("Mode: leader|follower|
observer", "Zxid: 0x..."); a member that is down, paused (SIGSTOP) or "not currently serving"
has no mode. The client-side helpers at the end (kazoo clients bound to one member, a dump of
a subtree as every member sees it) are shared by the ensemble tests.
"""

import atexit
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

from harness import servers
from harness.servers import free_port, four_letter, server_class

SERVING_MODES = ("leader", "follower", "observer")

_live_ensembles = set()


def wait_stopped(pid, timeout=5.0):
    """Waits until every thread of `pid` is in the stopped state (T)."""
    deadline = time.monotonic() + timeout
    while True:
        states = []
        try:
            for tid in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    states.append(f.read().rsplit(")", 1)[1].split()[0])
        except (FileNotFoundError, ProcessLookupError):
            return
        if states and all(s in ("T", "t") for s in states):
            return
        if time.monotonic() > deadline:
            raise RuntimeError("pid %d did not stop: thread states %r" % (pid, states))
        time.sleep(0.002)


class EnsembleError(AssertionError):
    """A wait on the ensemble timed out; the message carries every member's mode and log."""


class Ensemble:
    def __init__(self, participants=3, observers=0, kind=None, kinds=None, tick_ms=300,
                 init_limit=10, sync_limit=5, cfg=None, props=None, start=True,
                 timeout=120.0):
        """participants/observers: how many of each. kind: 'paddock' | 'zookeeper' for every
        member (default: PADDOCK_TEST_TARGET); kinds: {sid: kind} overrides it per member
        (a mixed ensemble). cfg/props: extra zoo.cfg keys / -D properties for every member."""
        if participants < 1:
            raise ValueError("an ensemble needs at least one participant")
        kind = kind or servers.target()
        self.dir = tempfile.mkdtemp(prefix="paddock-ensemble-")
        _live_ensembles.add(self)
        self.tick_ms = tick_ms
        self.init_limit = init_limit
        self.sync_limit = sync_limit
        n = participants + observers
        self.sids = list(range(1, n + 1))
        self.participant_sids = self.sids[:participants]
        self.observer_sids = self.sids[participants:]
        self.kinds = {sid: (kinds or {}).get(sid, kind) for sid in self.sids}
        for sid, k in self.kinds.items():
            if k not in ("paddock", "zookeeper"):
                raise ValueError("server.%d: kind must be paddock or zookeeper, not %r"
                                 % (sid, k))
        self.paused = set()
        self.members = {}
        try:
            self.ports = self._pick_ports()
            server_lines = {}
            for sid in self.sids:
                _, q, e = self.ports[sid]
                line = "127.0.0.1:%d:%d" % (q, e)
                if sid in self.observer_sids:
                    line += ":observer"
                server_lines["server.%d" % sid] = line
            for sid in self.sids:
                member_cfg = {
                    "tickTime": tick_ms,
                    "initLimit": init_limit,
                    "syncLimit": sync_limit,
                }
                if sid in self.observer_sids:
                    member_cfg["peerType"] = "observer"
                member_cfg.update(server_lines)
                member_cfg.update(cfg or {})
                srv = server_class(self.kinds[sid])(
                    cfg=member_cfg, props=dict(props or {}), port=self.ports[sid][0],
                    name="server.%d(%s)" % (sid, self.kinds[sid]),
                    dir=os.path.join(self.dir, "s%d" % sid))
                with open(os.path.join(srv.data_dir, "myid"), "w") as f:
                    f.write("%d\n" % sid)
                srv.sid = sid
                self.members[sid] = srv
            if start:
                self.start_all(timeout=timeout)
        except BaseException:
            self.close()
            raise

    def _pick_ports(self):
        taken = set()
        ports = {}
        for sid in self.sids:
            trio = []
            while len(trio) < 3:
                p = free_port()
                if p not in taken:
                    taken.add(p)
                    trio.append(p)
            ports[sid] = tuple(trio)
        return ports

    # --- life cycle ------------------------------------------------------------------
    def start_all(self, timeout=120.0):
        """Starts every member that is not running, then waits until all serve, one leader."""
        for sid in self.sids:
            if not self.members[sid].running():
                self.members[sid].start(wait=False)
        self.wait_serving(self.sids, timeout)
        return self

    def start(self, sids, wait=True, timeout=90.0):
        """Starts one member (or a list of them) on its old dir and ports; with `wait`,
        returns once they serve and the running members agree on one leader."""
        sids = _as_list(sids)
        for sid in sids:
            srv = self.members[sid]
            srv.wait_port_free()
            srv.start(wait=False)
        if wait:
            self.wait_serving(sids, timeout)

    def kill9(self, sid):
        """SIGKILL by pid (a paused member too), then reap."""
        srv = self.members[sid]
        srv.kill9()
        self.paused.discard(sid)

    def stop(self, sid, timeout=15.0):
        """SIGTERM (SIGCONT first if paused), SIGKILL after `timeout`; returns the exit code."""
        if sid in self.paused:
            self.sigcont(sid)
        return self.members[sid].terminate(timeout)

    def restart(self, sid, kill=True, wait=True, timeout=90.0):
        if kill:
            self.kill9(sid)
        else:
            self.stop(sid)
        self.start(sid, wait=wait, timeout=timeout)

    def sigstop(self, sid):
        """Pauses a member (SIGSTOP): its sockets stay open but it answers nothing."""
        srv = self.members[sid]
        if not srv.running():
            raise RuntimeError("%s is not running" % srv.name)
        os.kill(srv.proc.pid, signal.SIGSTOP)
        # kill() only queues the signal: threads running on another core go on for a moment
        # (long enough to read and propose a request sent right after). Wait until every
        # thread is stopped, so "sent after the pause" means it.
        wait_stopped(srv.proc.pid)
        self.paused.add(sid)

    def sigcont(self, sid):
        srv = self.members[sid]
        if srv.running():
            os.kill(srv.proc.pid, signal.SIGCONT)
        self.paused.discard(sid)

    def running(self, sid):
        return self.members[sid].running()

    def live_sids(self):
        """Members that run and are not paused."""
        return [s for s in self.sids if self.members[s].running() and s not in self.paused]

    def close(self):
        """Kills every member and removes the ensemble's dir. Safe to call twice."""
        for srv in list(self.members.values()):
            try:
                srv.close()
            except Exception:
                pass
        if not os.environ.get("PADDOCK_KEEP_DIRS"):  # set it to look at the logs afterwards
            shutil.rmtree(self.dir, ignore_errors=True)
        _live_ensembles.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- introspection ---------------------------------------------------------------
    def member(self, sid):
        return self.members[sid]

    def hostport(self, sid):
        return self.members[sid].hostport

    def connect_string(self, sids=None):
        return ",".join(self.members[s].hostport for s in _as_list(sids or self.sids))

    def srvr(self, sid, timeout=2.0):
        """The member's `srvr` answer as {key: value}; {} when it is down, paused or does not
        answer, {'not_serving': True} when it says it is not currently serving."""
        srv = self.members[sid]
        if not srv.running() or sid in self.paused:
            return {}
        try:
            text = four_letter(srv.host, srv.port, "srvr", timeout=timeout)
        except OSError:
            return {}
        if "not currently serving" in text:
            return {"not_serving": True}
        out = {}
        for line in text.splitlines():
            k, sep, v = line.partition(":")
            if sep:
                out[k.strip()] = v.strip()
        return out

    def mode(self, sid):
        """'leader' | 'follower' | 'observer' | 'standalone' from srvr, or None."""
        m = self.srvr(sid).get("Mode")
        return m.lower() if m else None

    def modes(self, sids=None):
        return {s: self.mode(s) for s in _as_list(sids or self.sids)}

    def zxid(self, sid):
        """The member's last processed zxid from srvr ("Zxid: 0x..."), or None."""
        z = self.srvr(sid).get("Zxid")
        return int(z, 16) if z else None

    def leader(self):
        """The sid of the one live member that says it leads, else None (none or several)."""
        leaders = [s for s, m in self.modes(self.live_sids()).items() if m == "leader"]
        return leaders[0] if len(leaders) == 1 else None

    def followers(self):
        return [s for s, m in self.modes(self.live_sids()).items() if m == "follower"]

    def observers(self):
        return [s for s, m in self.modes(self.live_sids()).items() if m == "observer"]

    # --- waits -----------------------------------------------------------------------
    def _wait(self, cond, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            for sid in self.sids:
                srv = self.members[sid]
                if sid in self._awaited and srv.proc is not None and \
                        srv.proc.poll() is not None:
                    raise EnsembleError("%s exited with %s while waiting for %s\n%s"
                                        % (srv.name, srv.proc.returncode, what,
                                           self.describe()))
            v = cond()
            if v:
                return v
            if time.monotonic() > deadline:
                raise EnsembleError("timed out after %.0fs waiting for %s\n%s"
                                    % (timeout, what, self.describe()))
            time.sleep(0.05)

    def wait_serving(self, sids=None, timeout=60.0):
        """Waits until every member in `sids` (default: every live one) serves as leader,
        follower or observer -- observers as observers, participants not -- and the live
        members name exactly one leader. Returns {sid: mode} of the live members."""
        sids = _as_list(sids or self.live_sids())
        self._awaited = set(sids)

        def ok():
            modes = self.modes(self.live_sids())
            for s in sids:
                m = modes.get(s)
                if m not in SERVING_MODES:
                    return None
                if (m == "observer") != (s in self.observer_sids):
                    return None
            if sum(1 for m in modes.values() if m == "leader") != 1:
                return None
            return modes
        try:
            return self._wait(ok, timeout, "servers %s to serve with one leader" % sids)
        finally:
            self._awaited = set()

    def wait_leader(self, timeout=60.0, among=None):
        """Waits until exactly one member of `among` (default: every live one) says it leads
        and no other live member does; returns its sid."""
        self._awaited = set()

        def ok():
            modes = self.modes(self.live_sids())
            leaders = [s for s, m in modes.items() if m == "leader"]
            if len(leaders) == 1 and (among is None or leaders[0] in among):
                return leaders[0]
            return None
        return self._wait(ok, timeout, "one leader among %s" % (among or self.live_sids()))

    def wait_zxids_equal(self, sids=None, timeout=30.0):
        """Waits until the members' srvr zxids agree; returns that zxid."""
        sids = _as_list(sids or self.live_sids())
        self._awaited = set(sids)

        def ok():
            z = {s: self.zxid(s) for s in sids}
            vals = set(z.values())
            return next(iter(vals)) if len(vals) == 1 and None not in vals else None
        try:
            return self._wait(ok, timeout, "equal zxids on %s" % sids)
        finally:
            self._awaited = set()

    _awaited = set()

    # --- failure messages ------------------------------------------------------------
    def describe(self, log_lines=40):
        """Every member's kind, state, mode and log tail (for a failure message)."""
        out = []
        for sid in self.sids:
            srv = self.members[sid]
            state = ("paused" if sid in self.paused else
                     "running" if srv.running() else
                     "exited %s" % (srv.proc.returncode if srv.proc else "(never started)"))
            out.append("--- server.%d %s client=%d quorum=%d election=%d %s mode=%s%s"
                       % (sid, self.kinds[sid], self.ports[sid][0], self.ports[sid][1],
                          self.ports[sid][2], state,
                          self.mode(sid) if state == "running" else None,
                          " (observer)" if sid in self.observer_sids else ""))
            out.append(srv.log_tail(log_lines))
        return "\n".join(out)


def _as_list(sids):
    if sids is None:
        return []
    if isinstance(sids, int):
        return [sids]
    return list(sids)


def _close_all_ensembles():
    for e in list(_live_ensembles):
        try:
            e.close()
        except Exception:
            pass


atexit.register(_close_all_ensembles)


# --- client-side helpers shared by the ensemble tests -------------------------------------
def epoch_of(zxid):
    return zxid >> 32


def kazoo_client(hosts, timeout=5.0, randomize=True, start=True, start_timeout=30.0,
                 **kw):
    """A kazoo client that retries connecting forever (each try quickly) but never retries
    a request: a test sees every ConnectionLoss and decides itself."""
    from kazoo.client import KazooClient
    zk = KazooClient(hosts=hosts, timeout=timeout, randomize_hosts=randomize,
                     connection_retry={"max_tries": -1, "delay": 0.05, "max_delay": 0.5},
                     **kw)
    if start:
        zk.start(timeout=start_timeout)
    return zk


def stop_kazoo(zk):
    try:
        zk.stop()
    except Exception:
        pass
    try:
        zk.close()
    except Exception:
        pass


def dump_tree(zk, root, sync=True, timeout=30.0):
    """{path: (data, czxid, mzxid, pzxid, version, cversion, ephemeralOwner, numChildren)}
    for `root` and everything under it, as the server `zk` is connected to sees it (after a
    sync of `root` when `sync`). Reads are pipelined a level at a time."""
    if sync:
        zk.sync_async(root).get(timeout=timeout)
    out = {}
    level = [root]
    while level:
        gets = [(p, zk.get_async(p), zk.get_children_async(p)) for p in level]
        level = []
        for p, g, c in gets:
            try:
                data, st = g.get(timeout=timeout)
                kids = c.get(timeout=timeout)
            except Exception as e:  # NoNodeError: deleted between list and get
                if type(e).__name__ == "NoNodeError":
                    continue
                raise
            out[p] = (data, st.czxid, st.mzxid, st.pzxid, st.version, st.cversion,
                      st.ephemeralOwner, st.numChildren)
            level.extend((p.rstrip("/") + "/" + k) for k in kids)
    return out


def dump_on_member(ens, sid, root, timeout=5.0):
    """dump_tree(root) through a fresh client bound to member `sid` only."""
    zk = kazoo_client(ens.hostport(sid), timeout=timeout)
    try:
        return dump_tree(zk, root)
    finally:
        stop_kazoo(zk)


class Writer(threading.Thread):
    """Creates `prefix`-000000, -000001, ... one at a time through `zk`, never retrying a
    request (a lost request's outcome is unknown, so the next try uses the next name).
    `acked`: [(path, czxid, monotonic time of the ack)] in ack order; `errors`:
    [(path, exception name)]. stop() ends it and joins."""

    def __init__(self, zk, prefix, request_timeout=10.0):
        super().__init__(daemon=True)
        self.zk = zk
        self.prefix = prefix
        self.request_timeout = request_timeout
        self.acked = []
        self.errors = []
        self.halt = threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            path = "%s-%06d" % (self.prefix, i)
            i += 1
            try:
                real, st = self.zk.create_async(path, path.encode(), include_data=True).get(
                    timeout=self.request_timeout)
                self.acked.append((real, st.czxid, time.monotonic()))
            except Exception as e:  # ConnectionLoss, SessionExpired, timeouts: unknown
                self.errors.append((path, type(e).__name__))
                self.halt.wait(0.05)

    def acked_since(self, t):
        return [a for a in list(self.acked) if a[2] >= t]

    def stop(self, timeout=30.0):
        self.halt.set()
        self.join(timeout)
        if self.is_alive():
            raise AssertionError("writer %s did not stop" % self.prefix)


class EnsembleTestCase(unittest.TestCase):
    """One or more ensembles per test, always closed; kazoo clients always stopped. A test
    that fails or errors prints every member's mode and log tail (describe())."""

    tick_ms = 300
    session_timeout = 5.0  # seconds; within ZooKeeper's 2..20 ticks

    def setUp(self):
        self._ensembles = []

    def ensemble(self, participants=3, observers=0, **kw):
        kw.setdefault("tick_ms", self.tick_ms)
        ens = Ensemble(participants, observers, **kw)
        self._ensembles.append(ens)
        self.addCleanup(ens.close)
        return ens

    def client(self, hosts, timeout=None, **kw):
        zk = kazoo_client(hosts, timeout=timeout or self.session_timeout, **kw)
        self.addCleanup(stop_kazoo, zk)
        return zk

    def tearDown(self):
        # Runs before the cleanups close the ensembles: print their state on failure.
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and not outcome.success:
            for ens in self._ensembles:
                try:
                    sys.stderr.write("\n=== %s: ensemble state\n%s\n"
                                     % (self.id(), ens.describe()))
                except Exception:
                    pass

    # --- checks ----------------------------------------------------------------------
    def trees(self, ens, root, sids=None):
        return {s: dump_on_member(ens, s, root) for s in _as_list(sids or ens.live_sids())}

    def replicate(self, ens, root, sids=None):
        """A write through every member in `sids` (default: the live ones) is read back, after
        sync, through every one of them."""
        clients = {s: self.client(ens.hostport(s)) for s in (sids or ens.live_sids())}
        first = next(iter(clients.values()))
        first.ensure_path(root)
        for s, zk in clients.items():
            zk.create("%s/from-%d" % (root, s), b"%d" % s)
        for s, zk in clients.items():
            zk.sync(root)
            self.assertEqual(sorted(zk.get_children(root)),
                             sorted("from-%d" % t for t in clients), "through server.%d" % s)

    def assert_same_tree(self, ens, root, sids=None, expect_paths=()):
        """Every member in `sids` holds the same subtree (data and Stat zxids/versions), and
        it contains every path of `expect_paths`. Returns that tree."""
        trees = self.trees(ens, root, sids)
        first_sid, first = next(iter(trees.items()))
        for s, t in trees.items():
            if t != first:
                only_a = sorted(set(first) - set(t))[:10]
                only_b = sorted(set(t) - set(first))[:10]
                diff = sorted(p for p in set(first) & set(t) if first[p] != t[p])[:10]
                self.fail("server.%d and server.%d disagree on %s: %d vs %d nodes; only on "
                          "%d: %s; only on %d: %s; different: %s"
                          % (first_sid, s, root, len(first), len(t), first_sid, only_a, s,
                             only_b, [(p, first[p], t[p]) for p in diff]))
        missing = [p for p in expect_paths if p not in first]
        self.assertEqual(missing, [], "acknowledged znodes missing on every member")
        return first
