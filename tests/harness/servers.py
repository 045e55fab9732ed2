"""Start and stop a server under test: paddockd or the reference Apache ZooKeeper 3.8.

Every server gets its own temp dir (zoo.cfg, dataDir, log file) and a free loopback port.
Which server `make_server()` starts is chosen by PADDOCK_TEST_TARGET=paddock|zookeeper
(default paddock), so every integration test can be checked against ZooKeeper first.

Clean-up: servers are tracked in a module-level registry and killed (by pid) and their
dirs removed at exit, on SIGTERM, and -- through PR_SET_PDEATHSIG -- even when the test
process itself is killed with SIGKILL.
"""

import atexit
import ctypes
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ZK_CLASSPATH = ":".join(
    "/usr/share/java/" + jar
    for jar in (
        "zookeeper.jar",
        "zookeeper-jute.jar",
        "slf4j-api.jar",
        "slf4j-simple.jar",
        "netty-all.jar",
        # Debian's zookeeper.jar names neither in its Class-Path; its Netty (TLS) server and
        # client need both.
        "netty-codec.jar",
        "netty-resolver.jar",
        "metrics-core.jar",
        "snappy-java.jar",
    )
)
ZK_JVM_FLAGS = ["-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"]
ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"
CLI_MT = "/usr/lib/zookeeper/bin/cli_mt"

_live = set()


def target():
    """The server kind the integration tests run against: 'paddock' or 'zookeeper'."""
    t = os.environ.get("PADDOCK_TEST_TARGET", "paddock").strip().lower()
    if t not in ("paddock", "zookeeper"):
        raise RuntimeError("PADDOCK_TEST_TARGET must be paddock or zookeeper, not %r" % t)
    return t


def paddockd_path():
    bin_dir = os.environ.get("PADDOCK_BIN")
    if not bin_dir:
        here = os.path.dirname(os.path.abspath(__file__))
        bin_dir = os.path.join(here, "..", "..", "build", "bin")
    return os.path.abspath(os.path.join(bin_dir, "paddockd"))


def _ephemeral_range_start():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
        return low if low > 2048 else 32768
    except (OSError, ValueError, IndexError):
        return 32768


_PORT_LOW = 10000
_PORT_HIGH = _ephemeral_range_start() - 1
_next_port = random.Random(os.getpid() ^ time.monotonic_ns()).randint(_PORT_LOW, _PORT_HIGH)


def free_port():
    """A loopback port nothing holds right now, from below the kernel's ephemeral range.

    Binding port 0 and releasing it would hand out a port from the ephemeral range, which
    every outgoing connect() also takes its local port from: under `ctest -j` another test's
    client could take it before our server bound it ("Address already in use"). Ports below
    the range are never used by connect(); the walk starts at a point drawn per process and
    each port is checked by a bind without SO_REUSEADDR (which also refuses TIME_WAIT)."""
    global _next_port
    span = _PORT_HIGH - _PORT_LOW + 1
    for _ in range(span):
        port = _PORT_LOW + (_next_port - _PORT_LOW) % span
        _next_port += 1
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free loopback port below the ephemeral range")


def four_letter(host, port, cmd, timeout=5.0):
    """Sends a four-letter word and returns the whole answer (until the server closes)."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(cmd.encode() if isinstance(cmd, str) else cmd)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks).decode(errors="replace")


def _die_with_parent():
    # Linux only: the child gets SIGKILL when the thread that started it exits.
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Server:
    """One server process with its own dir, config and port. Restartable on the same dir."""

    kind = "abstract"

    def __init__(self, cfg=None, props=None, port=None, name=None, dir=None):
        # `dir`: use this (new) directory instead of a fresh temp dir -- an ensemble keeps
        # its members' dirs under one temp dir of its own.
        if dir is None:
            self.dir = tempfile.mkdtemp(prefix="paddock-%s-" % self.kind)
        else:
            os.makedirs(dir)
            self.dir = dir
        self.data_dir = os.path.join(self.dir, "data")
        os.makedirs(self.data_dir)
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.name = name or self.kind
        self.cfg = {
            "tickTime": "2000",
            "dataDir": self.data_dir,
            "clientPort": str(self.port),
            "clientPortAddress": self.host,
            "admin.enableServer": "false",
            "4lw.commands.whitelist": "*",
        }
        for k, v in (cfg or {}).items():
            if v is None:
                self.cfg.pop(k, None)
            else:
                self.cfg[k] = str(v)
        self.props = {k: str(v) for k, v in (props or {}).items()}
        self.cfg_path = os.path.join(self.dir, "zoo.cfg")
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None
        _live.add(self)

    # --- addresses -------------------------------------------------------------------
    @property
    def hostport(self):
        return "%s:%d" % (self.host, self.port)

    @property
    def address(self):
        return (self.host, self.port)

    # --- life cycle ------------------------------------------------------------------
    def command(self):
        raise NotImplementedError

    def write_cfg(self):
        with open(self.cfg_path, "w") as f:
            for k, v in self.cfg.items():
                f.write("%s=%s\n" % (k, v))

    def start(self, timeout=60.0, wait=True):
        """Starts the process; with `wait`, returns once it serves (see wait_ready). An
        ensemble member serves only once a quorum is up, so an ensemble starts them all
        with wait=False and then waits for them together."""
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("%s already running" % self.name)
        self.write_cfg()
        log = open(self.log_path, "ab")
        log.write(("\n==== start %s\n" % " ".join(self.command())).encode())
        log.flush()
        try:
            self.proc = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.dir, preexec_fn=_die_with_parent)
        finally:
            log.close()
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %s before answering ruok\n%s"
                                   % (self.name, self.proc.returncode, self.log_tail()))
            try:
                # ruok answers "imok" (or "not in the whitelist") as soon as the port is
                # open; ZooKeeper serves requests a bit later, which srvr tells.
                if (four_letter(self.host, self.port, "ruok", timeout=2.0)
                        and "not currently serving" not in
                        four_letter(self.host, self.port, "srvr", timeout=2.0)):
                    return
            except OSError as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError("%s did not answer ruok within %.0fs (%r)\n%s"
                           % (self.name, timeout, last, self.log_tail()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        """SIGKILL by pid, then reap."""
        if self.running():
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def terminate(self, timeout=15.0):
        """SIGTERM, then SIGKILL after `timeout`. Returns the exit code."""
        if self.running():
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return None if self.proc is None else self.proc.returncode

    def restart(self, kill=True, timeout=60.0):
        """Stops (kill -9 by default, else SIGTERM) and starts again on the same dir and port."""
        if kill:
            self.kill9()
        else:
            self.terminate()
        self.wait_port_free()
        return self.start(timeout)

    def wait_port_free(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(self.address)
                    return
                except OSError:
                    time.sleep(0.05)

    def close(self):
        """Kills the process and removes the dir. Safe to call twice."""
        try:
            self.kill9()
        finally:
            _live.discard(self)
            if not os.environ.get("PADDOCK_KEEP_DIRS"):  # set it to look at the logs afterwards
                shutil.rmtree(self.dir, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------
    def four_letter(self, cmd, timeout=5.0):
        return four_letter(self.host, self.port, cmd, timeout)

    def log_tail(self, n=60):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode(errors="replace").splitlines()
            return "\n".join("  | " + l for l in lines[-n:])
        except OSError:
            return "  (no log)"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class PaddockServer(Server):
    kind = "paddock"

    def command(self):
        exe = paddockd_path()
        if not os.access(exe, os.X_OK):
            raise RuntimeError("paddockd not found at %s (set PADDOCK_BIN, or run against the "
                               "reference with PADDOCK_TEST_TARGET=zookeeper)" % exe)
        return [exe] + ["-D%s=%s" % kv for kv in self.props.items()] + [self.cfg_path]


class ZooKeeperServer(Server):
    kind = "zookeeper"

    def command(self):
        props = {
            "zookeeper.admin.enableServer": "false",
            "zookeeper.jmx.log4j.disable": "true",
            "org.slf4j.simpleLogger.defaultLogLevel": "warn",
            "org.slf4j.simpleLogger.showDateTime": "true",
        }
        props.update(self.props)
        return (["java"] + ZK_JVM_FLAGS + ["-D%s=%s" % kv for kv in props.items()]
                + ["-cp", ZK_CLASSPATH, "org.apache.zookeeper.server.quorum.QuorumPeerMain",
                   self.cfg_path])


def server_class(kind=None):
    kind = kind or target()
    return PaddockServer if kind == "paddock" else ZooKeeperServer


def make_server(cfg=None, props=None, kind=None, start=True, **kw):
    """Creates (and by default starts) the server under test. Closed at exit at the latest."""
    srv = server_class(kind)(cfg=cfg, props=props, **kw)
    if start:
        try:
            srv.start()
        except BaseException:
            srv.close()
            raise
    return srv


def close_all():
    for srv in list(_live):
        try:
            srv.close()
        except Exception:  # clean-up must go on for the others
            pass


def _on_sigterm(signum, frame):
    close_all()
    raise SystemExit(128 + signum)


atexit.register(close_all)
if hasattr(signal, "SIGTERM"):
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread
        pass
