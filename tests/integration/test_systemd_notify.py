"""paddockd and systemd's notify protocol (the packaged unit is Type=notify).

Each test binds a unix datagram socket, starts paddockd with NOTIFY_SOCKET naming it (as
systemd does) and reads what paddockd sends: READY=1 (with STATUS=serving client_port=N)
only once the client port accepts connections -- checked by connecting the moment it
arrives -- STOPPING=1 on SIGTERM before the process exits 0, and no READY=1 at all when
the start fails (client port taken: exit code 4). Paddock only: ZooKeeper does not speak
sd_notify."""

import os
import signal
import socket
import subprocess
import unittest

from harness import servers
from harness.base import main
from harness.notify import NotifyListener


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
