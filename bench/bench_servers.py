"""Servers for bench/compare: Apache ZooKeeper 3.8 and paddockd with equivalent configs.

Both get: their own temp dir on the same filesystem, a free loopback port, tickTime=2000,
maxClientCnxns=0, forceSync=yes (fsync on), 4lw.commands.whitelist=*, the admin server off,
clientPortListenBacklog=4096 (ZooKeeper's default is 50, paddockd's SOMAXCONN: the same
explicit value keeps the connection storm about the servers, not about a default).

Every process started here is tracked and stopped by pid at exit, on SIGINT/SIGTERM, and
(PR_SET_PDEATHSIG) when this process dies.
"""

import atexit
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ZK_CLASSPATH = ":".join(
    "/usr/share/java/" + jar
    for jar in ("zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar",
                "netty-all.jar", "metrics-core.jar", "snappy-java.jar"))

_live = []  # Popen objects still to stop
# Added to the nice value of every process started here (servers and generator alike), when
# set: a negative value shields a run from other jobs on a shared machine (needs root).
NICE = 0


def _die_with_parent():
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if NICE:
        os.nice(NICE)


def labelled_binaries(specs):
    """LABEL=PATH arguments (the A/B scripts' --paddockd) as [(label, absolute path)], in
    the order given; a spec without '=' names its own label."""
    out = []
    for spec in specs:
        label, sep, path = spec.partition("=")
        out.append((label, os.path.abspath(path if sep else label)))
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def four_letter(port, word, timeout=3.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(word.encode())
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (OSError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks).decode(errors="replace")


def stop_process(proc, timeout=20.0):
    """SIGTERM by pid, SIGKILL after `timeout`; reaps."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass
    if proc in _live:
        _live.remove(proc)


def stop_all():
    for proc in list(_live):
        try:
            stop_process(proc, timeout=5.0)
        except Exception:  # keep stopping the others
            pass


def spawn(argv, cwd=None, log=None):
    """Starts a tracked child process."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    finally:
        if log:
            out.close()
    _live.append(proc)
    return proc


def spawn_capture(argv):
    """Starts a tracked child whose stdout and stderr are read with communicate()."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=_die_with_parent)
    _live.append(proc)
    return proc


def forget(proc):
    """Stops tracking a child that has exited."""
    if proc in _live and proc.poll() is not None:
        _live.remove(proc)


def run_json(argv, timeout=600):
    """Runs a tracked child that prints one JSON line last (paddock bench --json, the
    client_cost programs) and returns it parsed; raises naming the command on failure."""
    proc = spawn_capture(argv)
    out, err = proc.communicate(timeout=timeout)
    forget(proc)
    lines = [l for l in out.decode().splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError("%s failed (exit %s): %s" % (" ".join(argv), proc.returncode,
                                                        err.decode().strip()))
    return json.loads(lines[-1])


def _on_signal(signum, frame):
    stop_all()
    raise SystemExit(128 + signum)


atexit.register(stop_all)
for _sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(_sig, _on_signal)


class Server:
    kind = "abstract"
    label = "?"

    def __init__(self, work_dir, keep=False, port=None, extra_cfg=None, dir=None):
        # `dir`, `port`, `extra_cfg`: an ensemble member's own dir, client port and keys
        # (server.N lines, initLimit, syncLimit).
        if dir is None:
            self.dir = tempfile.mkdtemp(prefix="bench-%s-" % self.kind, dir=work_dir)
        else:
            os.makedirs(dir)
            self.dir = dir
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir)
        self.port = port or free_port()
        self.keep = keep
        self.proc = None
        self.cfg_path = os.path.join(self.dir, "zoo.cfg")
        self.log_path = os.path.join(self.dir, "server.log")
        cfg = {
            "tickTime": 2000,
            "dataDir": self.data_dir,
            "clientPort": self.port,
            "clientPortAddress": "127.0.0.1",
            "maxClientCnxns": 0,
            "forceSync": "yes",
            "clientPortListenBacklog": 4096,
            "admin.enableServer": "false",
            "4lw.commands.whitelist": "*",
        }
        cfg.update(extra_cfg or {})
        with open(self.cfg_path, "w") as f:
            for k, v in cfg.items():
                f.write("%s=%s\n" % (k, v))

    @property
    def hostport(self):
        return "127.0.0.1:%d" % self.port

    @property
    def pid(self):
        return self.proc.pid

    def command(self):
        raise NotImplementedError

    def start(self, timeout=90.0, wait=True):
        """Spawns the server; with `wait`, returns once srvr reports a Mode (an ensemble
        member serves only once a quorum is up: Ensemble starts them with wait=False)."""
        self.proc = spawn(self.command(), cwd=self.dir, log=self.log_path)
        if not wait:
            return self
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s at start; log %s:\n%s" % (
                    self.label, self.proc.returncode, self.log_path, self.log_tail()))
            try:
                if "Mode:" in four_letter(self.port, "srvr", timeout=2.0):
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("%s did not serve within %.0f s:\n%s"
                           % (self.label, timeout, self.log_tail()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        """SIGKILL by pid, then reap; the dir stays (the member can be started again)."""
        if self.running():
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()
            if self.proc in _live:
                _live.remove(self.proc)

    def srvr(self, timeout=2.0):
        """srvr as {key: value}; {} when down or not answering, {'not_serving': True} when
        it says it is not currently serving."""
        if not self.running():
            return {}
        try:
            text = four_letter(self.port, "srvr", timeout=timeout)
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

    def mode(self):
        m = self.srvr().get("Mode")
        return m.lower() if m else None

    def peak_rss_bytes(self):
        """VmHWM: the peak resident set since start or since reset_peak_rss()."""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return None

    def reset_peak_rss(self):
        """Sets VmHWM back to the current RSS (clear_refs 5, Linux >= 4.0)."""
        with open("/proc/%d/clear_refs" % self.pid, "w") as f:
            f.write("5")

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc)
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_bytes(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return None

    def live_heap_bytes(self):
        """Bytes of live heap after a full GC (JVM only); None otherwise."""
        return None

    def log_tail(self, n=30):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


class ZooKeeperServer(Server):
    kind = "zookeeper"
    label = "ZooKeeper"

    def __init__(self, work_dir, heap="3g", keep=False, **kw):
        super().__init__(work_dir, keep, **kw)
        self.heap = heap

    def command(self):
        props = {
            "zookeeper.admin.enableServer": "false",
            "zookeeper.jmx.log4j.disable": "true",
            # Both servers log warnings and up only: INFO per session would tax ZooKeeper.
            "org.slf4j.simpleLogger.defaultLogLevel": "warn",
        }
        return (["java", "-Xmx" + self.heap]
                + ["-D%s=%s" % kv for kv in props.items()]
                + ["-cp", ZK_CLASSPATH, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                   self.cfg_path])

    def live_heap_bytes(self):
        """Used heap after a full GC, from jcmd (a JDK tool); None without it."""
        try:
            subprocess.run(["jcmd", str(self.pid), "GC.run"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
            out = subprocess.run(["jcmd", str(self.pid), "GC.heap_info"], check=True,
                                 capture_output=True, text=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        m = re.search(r"heap\s+total \d+K, used (\d+)K", out)
        return int(m.group(1)) * 1024 if m else None


class PaddockServer(Server):
    kind = "paddock"
    label = "Paddock"

    def __init__(self, work_dir, paddockd, keep=False, **kw):
        super().__init__(work_dir, keep, **kw)
        self.paddockd = paddockd

    def command(self):
        return [self.paddockd, self.cfg_path]


class Ensemble:
    """`size` members of one kind on loopback, configured as ZooKeeper reads it: zoo.cfg with
    server.N=127.0.0.1:<quorum>:<election> lines and dataDir/myid, every port free. Each
    member has the standalone comparison's keys (forceSync=yes, tickTime=2000, ...) plus
    initLimit=10 and syncLimit=5, and ZooKeeper members its JVM settings (-Xmx<heap>, G1,
    log level warn). Members live in one temp dir (s1, s2, ...) and can be killed and
    started again on their dirs and ports."""

    def __init__(self, kind, work_dir, size=3, keep=False, paddockd=None, zk_heap="3g",
                 init_limit=10, sync_limit=5, paddock_cfg=None):
        self.kind = kind
        self.label = ("Paddock" if kind == "paddock" else "ZooKeeper") + " x%d" % size
        self.keep = keep
        self.dir = tempfile.mkdtemp(prefix="bench-ensemble-%s-" % kind, dir=work_dir)
        self.sids = list(range(1, size + 1))
        taken = set()

        def fresh():
            while True:
                p = free_port()
                if p not in taken:
                    taken.add(p)
                    return p
        ports = {sid: (fresh(), fresh(), fresh()) for sid in self.sids}
        lines = {"server.%d" % sid: "127.0.0.1:%d:%d" % (q, e)
                 for sid, (_, q, e) in ports.items()}
        self.members = {}
        for sid in self.sids:
            extra = {"initLimit": init_limit, "syncLimit": sync_limit}
            extra.update(lines)
            if kind == "paddock":
                extra.update(paddock_cfg or {})  # e.g. an A/B of a paddock.* setting
            kw = dict(keep=True, port=ports[sid][0], extra_cfg=extra,
                      dir=os.path.join(self.dir, "s%d" % sid))
            if kind == "paddock":
                m = PaddockServer(None, paddockd, **kw)
            else:
                m = ZooKeeperServer(None, zk_heap, **kw)
            with open(os.path.join(m.data_dir, "myid"), "w") as f:
                f.write("%d\n" % sid)
            m.sid = sid
            self.members[sid] = m

    def member(self, sid):
        return self.members[sid]

    def hostport(self, sid):
        return self.members[sid].hostport

    def pids(self):
        return [m.pid for m in self.members.values() if m.running()]

    def start(self, timeout=120.0):
        for m in self.members.values():
            if not m.running():
                m.start(wait=False)
        self.wait_serving(timeout=timeout)
        return self

    def start_member(self, sid, wait=True, timeout=120.0):
        m = self.members[sid]
        _wait_port_free(m.port)
        m.start(wait=False)
        if wait:
            self.wait_serving([sid], timeout)

    def kill9(self, sid):
        self.members[sid].kill9()

    def stop_member(self, sid):
        m = self.members[sid]
        if m.proc is not None:
            stop_process(m.proc)

    def modes(self):
        return {sid: m.mode() for sid, m in self.members.items() if m.running()}

    def leader(self):
        leaders = [s for s, md in self.modes().items() if md == "leader"]
        return leaders[0] if len(leaders) == 1 else None

    def followers(self):
        return [s for s, md in self.modes().items() if md == "follower"]

    def wait_serving(self, sids=None, timeout=120.0):
        """Until every member of `sids` (default: all running) serves and the running members
        name one leader; returns {sid: mode}."""
        deadline = time.monotonic() + timeout
        while True:
            for sid, m in self.members.items():
                if m.proc is not None and m.proc.poll() is not None and \
                        (sids is None and m.proc in _live or sids is not None and sid in sids):
                    raise RuntimeError("%s server.%d exited with %s:\n%s" % (
                        self.label, sid, m.proc.returncode, m.log_tail()))
            modes = self.modes()
            want = sids or list(modes)
            if all(modes.get(s) in ("leader", "follower") for s in want) and \
                    sum(1 for md in modes.values() if md == "leader") == 1:
                return modes
            if time.monotonic() > deadline:
                raise RuntimeError("%s: no serving ensemble within %.0f s (modes %s):\n%s" % (
                    self.label, timeout, modes, "\n".join(
                        "server.%d: %s" % (s, m.log_tail(10)) for s, m in self.members.items())))
            time.sleep(0.05)

    def stop(self):
        for m in self.members.values():
            if m.proc is not None:
                stop_process(m.proc)
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def _wait_port_free(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
                return
            except OSError:
                time.sleep(0.05)
