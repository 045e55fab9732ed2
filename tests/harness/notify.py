"""A NOTIFY_SOCKET for tests: what systemd gives a Type=notify service, so a test can read
the READY=1 / STOPPING=1 / STATUS=... datagrams paddockd sends with sd_notify(3)."""

import os
import shutil
import socket
import tempfile
import time


class NotifyListener:
    """A NOTIFY_SOCKET: a unix datagram socket in a temp dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="paddock-notify-")
        self.path = os.path.join(self.dir, "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o777)  # the packaged test runs paddockd as the paddock user

    def receive(self, timeout):
        """The next datagram as {key: value}, or None after `timeout` seconds."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        fields = {}
        for line in data.decode().split("\n"):
            if "=" in line:
                k, v = line.split("=", 1)
                fields[k] = v
        return fields

    def wait_for(self, key, proc, timeout=30.0):
        """Datagrams until one has `key`; fails if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = self.receive(0.1)
            if msg is not None and key in msg:
                return msg
            if msg is None and proc.poll() is not None:
                raise AssertionError("paddockd exited with %s before sending %s"
                                     % (proc.returncode, key))
        raise AssertionError("no %s within %.0fs" % (key, timeout))

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)
