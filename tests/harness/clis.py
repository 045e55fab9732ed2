"""Drivers for ZooKeeper's own command-line clients: zkCli.sh (Java; commands on stdin, one
JVM per batch) and cli_mt (the C client; asynchronous, so each command waits for its
answer line)."""

import os
import re
import subprocess
import threading
import time

from harness.servers import CLI_MT, ZKCLI

_NOISE = re.compile(r"^(SLF4J:|log4j:)")


def run_zkcli(hostport, commands, timeout=60):
    """Runs zkCli.sh once with `commands` (a list of lines) on stdin.

    Returns (stdout, stderr) without JVM/logging noise. zkCli prints results (data, ls,
    stat) on stdout and "Created ..." and error messages on stderr."""
    env = dict(os.environ)
    env.setdefault("CLIENT_JVMFLAGS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m")
    proc = subprocess.run([ZKCLI, "-server", hostport], input="\n".join(commands + ["quit"])
                          + "\n", capture_output=True, text=True, timeout=timeout, env=env)
    clean = lambda s: "\n".join(l for l in s.splitlines() if not _NOISE.match(l))
    return clean(proc.stdout), clean(proc.stderr)


class CliMt:
    """cli_mt in a subprocess; `run(cmd)` sends a line and waits for its `rc = N` line."""

    def __init__(self, hostport, timeout=15.0):
        self.proc = subprocess.Popen([CLI_MT, hostport], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        self.lines = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait_for(re.compile(r"state = CONNECTED_STATE"), 0, timeout)

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.lines.append(None)  # EOF
            self.cond.notify_all()

    def wait_for(self, pattern, start, timeout=15.0):
        """Index of the first line at or after `start` that matches; fails on timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(start, len(self.lines)):
                    if self.lines[i] is None:
                        raise AssertionError("cli_mt exited:\n" + "\n".join(
                            l for l in self.lines if l is not None))
                    if pattern.search(self.lines[i]):
                        return i
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no %r from cli_mt; output so far:\n%s"
                                         % (pattern.pattern, "\n".join(
                                             l for l in self.lines if l is not None)))
                self.cond.wait(left)

    def send(self, cmd):
        """Sends a line; returns the index of the next output line."""
        with self.cond:
            start = len(self.lines)
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        return start

    def output(self, start=0):
        with self.cond:
            return [l for l in self.lines[start:] if l is not None]

    def run(self, cmd, path, timeout=15.0):
        """Sends `cmd`; returns (rc, lines printed for it up to the next command)."""
        start = self.send(cmd)
        pat = re.compile(r"^\[?%s\]?: rc = (-?\d+)" % re.escape(path))
        i = self.wait_for(pat, start, timeout)
        rc = int(pat.search(self.lines[i]).group(1))
        time.sleep(0.05)  # let the rest of this answer (data, children) arrive
        with self.cond:
            out = [l for l in self.lines[start:] if l is not None]
        return rc, out

    def close(self):
        try:
            if self.proc.poll() is None:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        try:
            self.proc.stdin.close()
        except OSError:
            pass
