"""TLS between servers (sslQuorum, portUnification, the ssl.quorum.* keys) in real ensembles.

Certificates are made here with openssl (harness/pki.py): every member presents the same
server certificate, which names 127.0.0.1 and localhost, so ZooKeeper's and Paddock's
hostname verification pass; PEM key stores, which ZooKeeper 3.8 reads too.

- TlsEnsemble: three members of the target (PADDOCK_TEST_TARGET) with sslQuorum=true elect
  a leader, replicate, and elect again after a kill -9 of the leader; the quorum and
  election ports answer a TLS handshake (Python's ssl module with a member certificate) and
  drop a plain peer.
- MixedTlsEnsemble (paddock target only): two ZooKeeper 3.8 members and one Paddock member,
  all with sslQuorum, replicate both ways: Paddock's TLS on the peer ports is ZooKeeper's.
- RollingSwitch: a plain ensemble is switched to TLS one server at a time with
  portUnification, as ZooKeeper's documentation describes, keeping a quorum and every write;
  then portUnification is turned off.
"""

import os
import shutil
import socket
import subprocess
import ssl
import sys
import tempfile
import unittest

from harness.base import main
from harness.ensemble import EnsembleTestCase
from harness.pki import Pki
from harness import servers
from harness.servers import target


def make_pki(d):
    pki = Pki(d)
    pki.issue("member", "/O=Paddock/CN=localhost", san="IP:127.0.0.1,DNS:localhost")
    pki.issue_by_stranger("stranger", "/O=Elsewhere/CN=localhost")
    return pki


def tls_cfg(pki, ssl_quorum=True, unified=False, key_store="member.pem"):
    cfg = {
        "sslQuorum": "true" if ssl_quorum else "false",
        "ssl.quorum.keyStore.location": pki.path(key_store),
        "ssl.quorum.keyStore.type": "PEM",
        "ssl.quorum.trustStore.location": pki.path("ca.pem"),
        "ssl.quorum.trustStore.type": "PEM",
    }
    if unified:
        cfg["portUnification"] = "true"
    return cfg


class _PkiCase(EnsembleTestCase):
    session_timeout = 10.0

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="paddock-quorum-tls-")
        cls.pki = make_pki(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)


class TlsEnsemble(_PkiCase):
    def tls_handshake(self, port, key_store="member"):
        """A TLS client handshake with `key_store`'s certificate; returns the peer's cert."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(self.pki.path("ca.pem"))
        ctx.load_cert_chain(self.pki.path(key_store + ".crt"), self.pki.path(key_store + ".key"))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                return s.getpeercert()

    def test_three_members_over_tls_replicate_and_survive_the_leader(self):
        ens = self.ensemble(3, cfg=tls_cfg(self.pki))
        self.replicate(ens, "/tls")
        old = ens.leader()
        ens.kill9(old)
        ens.wait_leader(among=[s for s in ens.sids if s != old], timeout=60)
        self.replicate(ens, "/tls-after")
        ens.start(old)
        ens.wait_zxids_equal()

    def test_peer_ports_speak_tls_and_drop_plain_and_stranger_peers(self):
        ens = self.ensemble(3, cfg=tls_cfg(self.pki))
        leader = ens.leader()
        _, quorum_port, election_port = ens.ports[leader]
        for port in (quorum_port, election_port):
            cert = self.tls_handshake(port)
            self.assertIn((("commonName", "localhost"),), cert["subject"])
        # A plain peer: the member waits for a TLS ClientHello and hangs up on anything else.
        with socket.create_connection(("127.0.0.1", election_port), timeout=10) as plain:
            plain.sendall(b"\xff" * 64)
            self.assertEqual(plain.recv(1), b"")
        # A certificate from another CA fails the handshake.
        with self.assertRaises((ssl.SSLError, ConnectionError)):
            self.tls_handshake(quorum_port, "stranger")
        self.replicate(ens, "/still-serving")


@unittest.skipUnless(target() == "paddock",
                     "a mixed ensemble needs a Paddock member: PADDOCK_TEST_TARGET is %r"
                     % target())
class MixedTlsEnsemble(_PkiCase):
    def test_zookeeper_and_paddock_members_replicate_over_tls(self):
        ens = self.ensemble(3, kinds={1: "zookeeper", 2: "zookeeper", 3: "paddock"},
                            cfg=tls_cfg(self.pki))
        sys.stderr.write("\n  server.%d (%s) leads\n" % (ens.leader(), ens.kinds[ens.leader()]))
        self.replicate(ens, "/mixed-tls")
        # Hand leadership to the other kind and replicate again.
        old = ens.leader()
        ens.kill9(old)
        ens.wait_leader(among=[s for s in ens.sids if s != old], timeout=60)
        self.replicate(ens, "/mixed-tls-after")


@unittest.skipUnless(target() == "paddock", "Paddock's exit codes")
class BadQuorumTlsSettings(_PkiCase):
    def test_a_member_whose_stores_do_not_load_exits_with_the_tls_code(self):
        d = tempfile.mkdtemp(prefix="paddock-quorum-tls-bad-")
        self.addCleanup(shutil.rmtree, d, True)
        os.makedirs(os.path.join(d, "data"))
        with open(os.path.join(d, "data", "myid"), "w") as f:
            f.write("1\n")
        ports = [servers.free_port() for _ in range(5)]
        cfg = {"tickTime": 2000, "initLimit": 5, "syncLimit": 2,
               "dataDir": os.path.join(d, "data"), "clientPort": ports[0],
               "server.1": "127.0.0.1:%d:%d" % (ports[1], ports[2]),
               "server.2": "127.0.0.1:%d:%d" % (ports[3], ports[4]),
               "sslQuorum": "true",
               "ssl.quorum.keyStore.location": os.path.join(d, "missing.pem"),
               "ssl.quorum.trustStore.location": self.pki.path("ca.pem")}
        path = os.path.join(d, "zoo.cfg")
        with open(path, "w") as f:
            f.writelines("%s=%s\n" % kv for kv in cfg.items())
        proc = subprocess.run([servers.paddockd_path(), path], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 5, proc.stdout + proc.stderr)  # TLS, not "listen"
        self.assertIn("ssl.quorum.keyStore.location", proc.stdout + proc.stderr)


class RollingSwitch(_PkiCase):
    def test_a_running_ensemble_switches_to_tls_one_server_at_a_time(self):
        # ZooKeeper's documented steps: (1) portUnification=true on every server, restarted
        # one by one; (2) sslQuorum=true, one by one; (3) portUnification=false, one by one.
        ens = self.ensemble(3)
        writer = self.client(ens.connect_string())
        writer.ensure_path("/rolling")
        count = [0]

        def write():
            count[0] += 1
            writer.retry(writer.create, "/rolling/w-%04d" % count[0], b"x")

        steps = [tls_cfg(self.pki, ssl_quorum=False, unified=True),
                 tls_cfg(self.pki, ssl_quorum=True, unified=True),
                 dict(tls_cfg(self.pki, ssl_quorum=True), portUnification="false")]
        for step in steps:
            for sid in ens.sids:
                ens.members[sid].cfg.update(step)
                ens.restart(sid)
                write()
                ens.wait_serving(ens.sids, timeout=60)
                write()
        for sid in ens.sids:
            zk = self.client(ens.hostport(sid))
            zk.sync("/rolling")
            self.assertEqual(len(zk.get_children("/rolling")), count[0], "server.%d" % sid)
        if target() == "paddock":
            for sid in ens.sids:
                with open(ens.members[sid].log_path) as f:
                    self.assertIn("event=quorum_tls ssl_quorum=true port_unification=false",
                                  f.read())


if __name__ == "__main__":
    main()
