"""paddockd and systemd's notify protocol (the packaged unit is Type=notify).

Each test binds a unix datagram socket, starts paddockd with NOTIFY_SOCKET naming it (as
systemd does) and reads what paddockd sends: READY=1 (with STATUS=serving client_port=N)
only once the client port accepts connections -- checked by connecting the moment it
arrives -- and at once whatever the four-letter-word whitelist says and with only a
secure client port (readiness is signalled from inside the server, not by asking its own
port), STOPPING=1 on SIGTERM before the process exits 0, and no READY=1 at all when
the start fails (client port taken: exit code 4). Paddock only: ZooKeeper does not speak
sd_notify."""

import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from kazoo.client import KazooClient

from harness import servers
from harness.base import main
from harness.notify import NotifyListener
from harness.pki import Pki


def port_accepts(host, port):
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


class SdNotifyTest(unittest.TestCase):
    def setUp(self):
        if servers.target() != "paddock":
            raise unittest.SkipTest("sd_notify is paddockd's; ZooKeeper does not send it")
        self.notify = NotifyListener()
        self.addCleanup(self.notify.close)

    def start(self, cfg=None):
        srv = servers.PaddockServer(cfg=cfg)
        self.addCleanup(srv.close)
        srv.write_cfg()
        env = dict(os.environ, NOTIFY_SOCKET=self.notify.path)
        with open(srv.log_path, "ab") as log:
            srv.proc = subprocess.Popen(srv.command(), stdin=subprocess.DEVNULL, stdout=log,
                                        stderr=subprocess.STDOUT, cwd=srv.dir, env=env)
        return srv

    def test_ready_arrives_once_the_client_port_accepts_connections(self):
        srv = self.start()
        msg = self.notify.wait_for("READY", srv.proc)
        # At the moment READY=1 is read, the port must already take connections and answer.
        self.assertTrue(port_accepts(srv.host, srv.port), "READY=1 before the port listens")
        self.assertEqual(msg["READY"], "1")
        self.assertEqual(msg.get("STATUS"), "serving client_port=%d" % srv.port)
        self.assertEqual(srv.four_letter("ruok"), "imok")
        self.assertIn("Mode: standalone", srv.four_letter("srvr"))

    def test_ready_does_not_depend_on_the_four_letter_words(self):
        # Readiness is the server's own signal, not an answer to its four-letter words. (srvr
        # cannot be left out: ZooKeeper always allows it, for zkServer.sh, and so does
        # Paddock.)
        srv = self.start(cfg={"4lw.commands.whitelist": "ruok"})
        started = time.monotonic()
        msg = self.notify.wait_for("READY", srv.proc, timeout=15.0)
        self.assertLess(time.monotonic() - started, 15.0)
        self.assertEqual(msg.get("STATUS"), "serving client_port=%d" % srv.port)
        self.assertTrue(port_accepts(srv.host, srv.port), "READY=1 before the port listens")
        self.assertEqual(srv.four_letter("ruok"), "imok")
        self.assertIn("not in the whitelist", srv.four_letter("stat"))
        zk = KazooClient(hosts=srv.hostport, timeout=10.0)
        zk.start(timeout=10.0)
        self.addCleanup(zk.close)
        self.addCleanup(zk.stop)
        zk.create("/ready", b"x")
        self.assertEqual(zk.get("/ready")[0], b"x")

    def test_ready_comes_at_once_with_only_a_secure_client_port(self):
        # No plain port to ask anything on: READY=1 once polled srvr over plain TCP and came
        # only after its 60 s deadline here.
        pki_dir = tempfile.mkdtemp(prefix="paddock-notify-pki-")
        self.addCleanup(shutil.rmtree, pki_dir, True)
        pki = Pki(pki_dir)
        pki.issue("server", "/O=Paddock/CN=localhost", san="IP:127.0.0.1,DNS:localhost")
        secure_port = servers.free_port()
        srv = self.start(cfg={
            "clientPort": None, "clientPortAddress": None, "secureClientPort": secure_port,
            "secureClientPortAddress": "127.0.0.1",
            "ssl.keyStore.location": pki.path("server.pem"), "ssl.keyStore.type": "PEM",
            "ssl.trustStore.location": pki.path("ca.pem"), "ssl.trustStore.type": "PEM",
            "ssl.clientAuth": "none"})
        started = time.monotonic()
        msg = self.notify.wait_for("READY", srv.proc, timeout=15.0)
        self.assertLess(time.monotonic() - started, 15.0)
        self.assertEqual(msg.get("STATUS"), "serving secure_client_port=%d" % secure_port)
        ctx = ssl.create_default_context(cafile=pki.path("ca.pem"))
        with socket.create_connection(("127.0.0.1", secure_port), timeout=5.0) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(b"ruok")
                self.assertEqual(tls.recv(16), b"imok")

    def test_stopping_is_sent_on_sigterm_before_exit(self):
        srv = self.start()
        self.notify.wait_for("READY", srv.proc)
        os.kill(srv.proc.pid, signal.SIGTERM)
        msg = self.notify.wait_for("STOPPING", srv.proc, timeout=15.0)
        self.assertEqual(msg["STOPPING"], "1")
        self.assertEqual(srv.proc.wait(15), 0, srv.log_tail())

    def test_no_ready_when_the_client_port_is_taken(self):
        taken = socket.socket()
        self.addCleanup(taken.close)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        srv = self.start(cfg={"clientPort": taken.getsockname()[1]})
        self.assertEqual(srv.proc.wait(30), 4, srv.log_tail())
        while True:
            msg = self.notify.receive(0.2)
            if msg is None:
                break
            self.assertNotIn("READY", msg, "READY=1 sent by a server that failed to start")


if __name__ == "__main__":
    main()
