#!/usr/bin/env python3
"""End-to-end test of `paddock server start|stop|restart|status` (src/app/cli_server.cc).

Runs the real `paddock` binary ($PADDOCK_BIN/paddock, else build/bin/paddock) against a
daemon: paddockd next to it by default, or Apache ZooKeeper 3.8 through a small wrapper
script when PADDOCK_CLI_TEST_DAEMON=zookeeper (the CLI only needs a server that takes
`[-D...] zoo.cfg` and answers `srvr`). Every test works in its own temp dir on a free
loopback port and kills what it started.

    python3 tests/integration/test_cli_server.py [-v]
"""

import os
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
import unittest

from harness import servers

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.abspath(os.environ.get("PADDOCK_BIN", os.path.join(HERE, "..", "..", "build", "bin")))
PADDOCK = os.path.join(BIN, "paddock")
ZK_CP = ":".join("/usr/share/java/" + j for j in (
    "zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar",
    "netty-all.jar", "metrics-core.jar", "snappy-java.jar"))
ZK_WRAPPER = """#!/bin/bash
exec java -Xmx256m -XX:+UseSerialGC "${@:1:$#-1}" -cp %s \\
  org.apache.zookeeper.server.quorum.QuorumPeerMain "${@: -1}"
""" % ZK_CP


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


class ServerCommandTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="paddock-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.port = servers.free_port()
        self.env = dict(os.environ, PADDOCK_START_TIMEOUT="60", PADDOCK_STOP_TIMEOUT="30")
        for k in ("PADDOCK_CONF", "PADDOCK_PIDFILE", "PADDOCK_LOG_DIR", "PADDOCKD_OPTS"):
            self.env.pop(k, None)
        if os.environ.get("PADDOCK_CLI_TEST_DAEMON", "paddockd") == "zookeeper":
            wrapper = os.path.join(self.dir, "zk-as-paddockd")
            with open(wrapper, "w") as f:
                f.write(ZK_WRAPPER)
            os.chmod(wrapper, stat.S_IRWXU)
            self.env["PADDOCKD"] = wrapper
        os.makedirs(os.path.join(self.dir, "conf"))
        self.write_config("tickTime=2000\ndataDir=./data\nclientPort=%d\n"
                          "admin.enableServer=false\n" % self.port)
        self.pid_file = os.path.join(self.dir, "data", "paddock_server.pid")
        self.addCleanup(self.kill_leftover)

    def write_config(self, text):
        with open(os.path.join(self.dir, "conf", "zoo.cfg"), "w") as f:
            f.write(text)

    def kill_leftover(self):
        pid = self.pid()
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)

    def pid(self):
        try:
            with open(self.pid_file) as f:
                return int(f.read().strip())
        except (FileNotFoundError, ValueError):
            return None

    def paddock(self, *args, env=None):
        r = subprocess.run([PADDOCK, "server", *args], cwd=self.dir, env=env or self.env,
                           capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout, r.stderr

    def test_start_status_stop(self):
        rc, out, _ = self.paddock("status")
        self.assertEqual(rc, 1)
        self.assertIn("Error contacting service. It is probably not running.", out)
        rc, out, err = self.paddock("start", "-Dzookeeper.snapCount=1000")
        self.assertEqual((rc, out.strip()), (0, "Starting paddock ... STARTED"), err)
        pid = self.pid()
        self.assertTrue(pid and alive(pid))
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            self.assertIn(b"-Dzookeeper.snapCount=1000", f.read())
        rc, out, _ = self.paddock("status")
        self.assertEqual(rc, 0)
        self.assertIn("Client port found: %d." % self.port, out)
        self.assertIn("Mode: standalone", out)
        rc, out, _ = self.paddock("start")
        self.assertEqual(rc, 1)
        self.assertIn("already running as process %d." % pid, out)
        rc, out, err = self.paddock("stop")
        self.assertEqual((rc, out.strip()), (0, "Stopping paddock ... STOPPED"), err)
        self.assertFalse(alive(pid))
        self.assertFalse(os.path.exists(self.pid_file))
        self.assertEqual(self.paddock("status")[0], 1)

    def test_restart_replaces_the_process(self):
        self.assertEqual(self.paddock("start")[0], 0)
        first = self.pid()
        rc, out, err = self.paddock("restart")
        self.assertEqual(rc, 0, out + err)
        self.assertIn("STOPPED", out)
        self.assertIn("STARTED", out)
        self.assertFalse(alive(first))
        self.assertNotEqual(self.pid(), first)
        self.assertEqual(self.paddock("status")[0], 0)

    def test_config_comes_from_paddock_conf(self):
        env = dict(self.env, PADDOCK_CONF=os.path.join(self.dir, "conf", "zoo.cfg"))
        os.mkdir(os.path.join(self.dir, "elsewhere"))
        r = subprocess.run([PADDOCK, "server", "print-cmd"], cwd=os.path.join(self.dir, "elsewhere"),
                           env=env, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(os.path.join(self.dir, "conf", "zoo.cfg"), r.stdout)

    def test_stop_without_a_server(self):
        rc, out, _ = self.paddock("stop")
        self.assertEqual(rc, 0)
        self.assertIn("no paddock server to stop (could not find file %s)" % self.pid_file, out)
        os.makedirs(os.path.dirname(self.pid_file))
        with open(self.pid_file, "w") as f:
            f.write("%d\n" % (2 ** 22 + 12345))  # above pid_max: never a live process
        rc, out, _ = self.paddock("stop")
        self.assertEqual(rc, 0)
        self.assertIn("was not running; removed", out)
        self.assertFalse(os.path.exists(self.pid_file))

    def test_stop_leaves_an_unrelated_process_alone(self):
        other = subprocess.Popen(["sleep", "60"])
        self.addCleanup(lambda: (other.kill(), other.wait()))
        os.makedirs(os.path.dirname(self.pid_file))
        with open(self.pid_file, "w") as f:
            f.write(str(other.pid))
        rc, out, err = self.paddock("stop")
        self.assertEqual(rc, 1)
        self.assertIn("does not run", err)
        self.assertIsNone(other.poll())

    def test_start_reports_a_missing_daemon(self):
        rc, out, err = self.paddock("start", env=dict(self.env, PADDOCKD="/nonexistent/paddockd"))
        self.assertEqual(rc, 1)
        self.assertIn("FAILED TO START", out)
        self.assertIn("cannot run /nonexistent/paddockd: No such file or directory", err)

    def test_start_reports_a_daemon_that_exits(self):
        with socket.socket() as busy:  # the client port is taken: the server must give up
            busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            busy.bind(("0.0.0.0", self.port))
            busy.listen(1)
            rc, out, err = self.paddock("start")
        self.assertEqual(rc, 1)
        self.assertIn("FAILED TO START", out)
        self.assertIn("paddockd exited; the end of", err)
        self.assertFalse(os.path.exists(self.pid_file))

    def test_invalid_config_is_refused_before_starting(self):
        self.write_config("tickTime=abc\ndataDir=./data\nclientPort=%d\n" % self.port)
        rc, out, err = self.paddock("start")
        self.assertEqual(rc, 1)
        self.assertIn("invalid config, not starting", out)
        self.assertIn("zoo.cfg:1: tickTime: 'abc' is not a number", err)
        self.assertIsNone(self.pid())


if __name__ == "__main__":
    if not os.access(PADDOCK, os.X_OK):
        raise SystemExit("no paddock binary at %s (set PADDOCK_BIN)" % PADDOCK)
    unittest.main()
