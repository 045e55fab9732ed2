"""The recipe examples (examples/*.cc, built into <build>/examples/) run briefly against
paddockd and against Apache ZooKeeper 3.8: several processes at once, with what each prints
checked -- lock holds of 8 processes (in one shared file) never overlap, no write hold of a
read/write lock overlaps another hold, a lock holder
killed with -9 is replaced within its session timeout, a killed leader is replaced, queued items are taken
once, concurrent adds all count, a monitor sees a worker come and go, a subscriber sees a
published change, a double barrier lets its members through together."""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

from harness import servers
from harness.base import main, wait_until

EXAMPLES = os.path.abspath(os.environ.get("PADDOCK_EXAMPLES") or
                           os.path.join(os.environ.get("PADDOCK_BIN", "build/bin"), "..", "examples"))
# tickTime 200: sessions may be as short as 400 ms, so a killed leader's session ends soon.
CFG = {"tickTime": 200, "maxSessionTimeout": 30000}


class Example:
    """One example process; its output lines are collected as they come."""

    def __init__(self, name, hostport, *args):
        exe = os.path.join(EXAMPLES, name)
        self.proc = subprocess.Popen([exe, hostport] + [str(a) for a in args], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, preexec_fn=servers._die_with_parent)
        self.lines = []
        self._mu = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self._mu:
                self.lines.append(line.rstrip("\n"))

    def output(self):
        with self._mu:
            return list(self.lines)

    def wait_line(self, pattern, timeout=30.0):
        rx = re.compile(pattern)
        return wait_until(lambda: next((l for l in self.output() if rx.search(l)), None), timeout,
                          what="a line matching %r from %s; got %r" % (pattern, self.proc.args[0], self.output()))

    def finish(self, timeout=60.0):
        """Waits for the exit; the status and every line."""
        rc = self.proc.wait(timeout)
        self._reader.join(5)
        return rc, self.output()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(5)
        self.proc.stdout.close()


class ExamplesMixin:
    kind = None

    @classmethod
    def setUpClass(cls):
        if not os.path.isdir(EXAMPLES):
            raise RuntimeError("no examples built at %s (set PADDOCK_EXAMPLES)" % EXAMPLES)
        if cls.kind == "zookeeper" and not shutil.which("java"):
            raise unittest.SkipTest("no java for Apache ZooKeeper")
        cls.server = servers.make_server(kind=cls.kind, cfg=CFG)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def run_example(self, name, *args):
        p = Example(name, self.server.hostport, *args)
        self.addCleanup(p.kill)
        return p

    def path(self, what):
        return "/examples-%s-%s" % (what, self._testMethodName)

    def test_lock_holds_from_8_processes_never_overlap(self):
        # 8 processes contend for a few seconds; each appends its holds to one shared file.
        log = os.path.join(self.server.dir, "holds-%s.log" % self._testMethodName)
        procs = [self.run_example("lock_demo", "--path", self.path("lock"), "--rounds", 15, "--hold-ms", 20,
                                  "--log", log)
                 for _ in range(8)]
        for p in procs:
            rc, lines = p.finish(timeout=120)
            self.assertEqual(rc, 0, lines)
        with open(log) as f:
            holds = sorted((int(start), int(end), pid) for pid, start, end, _ in (l.split() for l in f))
        self.assertEqual(len(holds), 8 * 15)
        self.assertEqual(len({pid for _, _, pid in holds}), 8)
        for (s1, e1, p1), (s2, e2, p2) in zip(holds, holds[1:]):
            self.assertLessEqual(e1, s2, "holds of %s and %s overlap" % (p1, p2))

    def test_read_write_lock_writers_exclude_everyone(self):
        log = os.path.join(self.server.dir, "holds-%s.log" % self._testMethodName)
        procs = [self.run_example("lock_demo", "--path", self.path("rw"), "--mode", mode, "--rounds", 4,
                                  "--hold-ms", 30, "--log", log)
                 for mode in ("read", "read", "read", "write", "write")]
        for p in procs:
            rc, lines = p.finish(timeout=120)
            self.assertEqual(rc, 0, lines)
        with open(log) as f:
            holds = [(int(start), int(end), mode) for _, start, end, mode in (l.split() for l in f)]
        self.assertEqual(len(holds), 20)
        for i, (s1, e1, m1) in enumerate(holds):
            for s2, e2, m2 in holds[i + 1:]:
                if "write" in (m1, m2):
                    self.assertTrue(e1 <= s2 or e2 <= s1, "a %s and a %s hold overlap" % (m1, m2))

    def test_killed_holder_gives_the_lock_up_within_its_session_timeout(self):
        path = self.path("lock")
        holder = self.run_example("lock_demo", "--path", path, "--rounds", 1, "--hold-ms", 600000,
                                  "--session-timeout-ms", 1000)
        holder.wait_line(r"^acquired ")
        waiter = self.run_example("lock_demo", "--path", path, "--rounds", 1, "--hold-ms", 10)
        # The waiter is queued behind the holder (two lock nodes) and does not hold it.
        wait_until(lambda: "numChildren = 2" in self.stat(path), what="two contenders")
        self.assertFalse(any(l.startswith("acquired") for l in waiter.output()))
        killed = time.monotonic()
        holder.proc.send_signal(signal.SIGKILL)
        waiter.wait_line(r"^acquired ", timeout=30)
        elapsed = time.monotonic() - killed
        rc, lines = waiter.finish()
        self.assertEqual(rc, 0, lines)
        # Session timeout 1 s; the server notices within a tick or two more.
        print("%s: lock taken over %.2f s after kill -9" % (self.kind, elapsed), file=sys.stderr)
        self.assertLess(elapsed, 5.0)

    def stat(self, path):
        """zkCli-style stat text of `path` through the kazoo client ('' if absent)."""
        zk = getattr(self, "_kazoo", None)
        if zk is None:
            from kazoo.client import KazooClient
            zk = self._kazoo = KazooClient(hosts=self.server.hostport)
            zk.start(timeout=15)
            self.addCleanup(lambda: (zk.stop(), zk.close()))
        st = zk.exists(path)
        return "" if st is None else "numChildren = %d" % st.numChildren

    def test_leader_is_replaced_after_a_kill(self):
        path = self.path("election")
        a = self.run_example("leader_demo", "--path", path, "--id", "a", "--session-timeout-ms", 1000)
        a.wait_line(r"^a: leader$")
        b = self.run_example("leader_demo", "--path", path, "--id", "b", "--session-timeout-ms", 1000)
        b.wait_line(r"^b: joined$")
        self.assertFalse(any(l == "b: leader" for l in b.output()))
        a.proc.send_signal(signal.SIGKILL)
        b.wait_line(r"^b: leader$", timeout=30)

    def test_queue_items_are_taken_once(self):
        path = self.path("queue")
        producer = self.run_example("queue_demo", "--path", path, "--produce", 8)
        rc, lines = producer.finish()
        self.assertEqual(rc, 0, lines)
        offered = sorted(l[len("offered "):] for l in lines if l.startswith("offered "))
        consumers = [self.run_example("queue_demo", "--path", path, "--consume", 4) for _ in range(2)]
        taken = []
        for c in consumers:
            rc, lines = c.finish()
            self.assertEqual(rc, 0, lines)
            taken += [l[len("took "):] for l in lines if l.startswith("took ")]
        self.assertEqual(len(offered), 8)
        self.assertEqual(sorted(taken), offered)

    def test_concurrent_adds_all_count(self):
        path = self.path("counter")
        adders = [self.run_example("counter_demo", "--path", path, "--adds", 25) for _ in range(3)]
        for a in adders:
            rc, lines = a.finish()
            self.assertEqual(rc, 0, lines)
        rc, lines = self.run_example("counter_demo", "--path", path, "--adds", 0).finish()
        self.assertEqual(rc, 0, lines)
        self.assertTrue(any(l.startswith("counter 75 ") for l in lines), lines)

    def test_monitor_sees_a_worker_come_and_go(self):
        path = self.path("workers")
        monitor = self.run_example("membership_demo", "--path", path, "--monitor-ms", 30000)
        monitor.wait_line(r"^live workers \(0\):$")
        worker = self.run_example("membership_demo", "--path", path, "--worker", "w1", "--steps", 3,
                                  "--step-ms", 50)
        rc, lines = worker.finish()
        self.assertEqual(rc, 0, lines)
        self.assertEqual(lines[-1], "%s/w1 progress 100%%" % path)
        # Any progress: the monitor may read w1 after the worker's first 50 ms step.
        monitor.wait_line(r"^live workers \(1\): w1\[progress \d+%\]$")
        wait_until(lambda: monitor.output()[-1] == "live workers (0):", what="the worker gone: %r" % monitor.output())

    def test_subscriber_sees_published_changes(self):
        path = self.path("config")
        sub = self.run_example("cache_demo", "--path", path, "--watch-ms", 30000)
        sub.wait_line(r"^initialized$")
        # Each value seen before the next is published: quick successive changes of one node
        # may reach the cache as one.
        for value, seen in (("postgres://db1", "created"), ("postgres://db2", "changed")):
            rc, lines = self.run_example("cache_demo", "--path", path, "--publish", "db.url", "--value",
                                         value).finish()
            self.assertEqual(rc, 0, lines)
            sub.wait_line(r"^%s %s/db.url = %s$" % (seen, path, value))

    def test_double_barrier_lets_members_through_together(self):
        path = self.path("barrier")
        first = [self.run_example("barrier_demo", "--path", path, "--members", 3) for _ in range(2)]
        for p in first:
            p.wait_line(r"waiting for 3 members")
        self.assertFalse(any("entered" in l for p in first for l in p.output()))
        last = self.run_example("barrier_demo", "--path", path, "--members", 3)
        for p in first + [last]:
            rc, lines = p.finish()
            self.assertEqual(rc, 0, lines)
            self.assertTrue(any("all 3 entered" in l for l in lines), lines)
            self.assertTrue(any("all left" in l for l in lines), lines)

    def test_ids_and_names_are_unique(self):
        path = self.path("names")
        runs = [self.run_example("ids_demo", "--path", path, "--ids", 5, "--name", "job-", "--data", "d")
                for _ in range(2)]
        ids, names = [], []
        for r in runs:
            rc, lines = r.finish()
            self.assertEqual(rc, 0, lines)
            ids += [l for l in lines if l.startswith("id ")]
            names += [l for l in lines if l.startswith("name ")]
        self.assertEqual(len(set(ids)), 10)
        self.assertEqual(len(set(names)), 2)
        for n in names:
            self.assertRegex(n, r"^name %s/job-\d{10}$" % path)

    def test_semaphore_hands_out_leases(self):
        path = self.path("semaphore")
        runs = [self.run_example("semaphore_demo", "--path", path, "--leases", 2, "--hold-ms", 50)
                for _ in range(4)]
        for r in runs:
            rc, lines = r.finish()
            self.assertEqual(rc, 0, lines)
            self.assertTrue(any("returned" in l for l in lines), lines)


class ExamplesAgainstPaddock(ExamplesMixin, unittest.TestCase):
    kind = "paddock"


class ExamplesAgainstZooKeeper(ExamplesMixin, unittest.TestCase):
    kind = "zookeeper"


if __name__ == "__main__":
    main()
