"""TLS on the client port, against paddockd or ZooKeeper 3.8 (PADDOCK_TEST_TARGET).

Certificates are made here with the openssl command: a CA, a server certificate, client
certificates (one expired, one revoked, one from a CA the server does not trust) and a CRL.
Covered: secureClientPort beside clientPort, client.portUnification, ssl.clientAuth
need/want/none, wrong CA, expired, revoked (ssl.crl), the x509 ACL scheme and the x509
superuser, OCSP (ssl.ocsp: an `openssl ocsp` responder started here answers good and
revoked; no responder named is a refusal, in ZooKeeper too), a JKS store refused with the
keytool command, a rotated certificate picked up without restart, and three clients --
kazoo (use_ssl), zkCli.sh (zookeeper.client.secure) and Python's ssl module on a raw
socket. Debian's cli_mt is built without TLS (no -s
option), so it is not run over TLS.

ZooKeeper runs with NettyServerCnxnFactory, the netty-codec/netty-resolver jars (harness)
and authProvider.x509 (ZooKeeper registers no x509 provider by default; Paddock always has
one). Paddock-only checks (certificate rotation, a JKS store's error text, the handshake
of a silent client) are skipped against ZooKeeper, whose 3.8 client port reloads nothing.
"""

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
from kazoo.security import make_acl

from harness import servers
from harness.base import main, wait_until
from harness.clis import run_zkcli
from harness.pki import Pki

CLIENT_DN = "CN=client,OU=Test,O=Paddock,C=US"
ZK_CP = ":".join("/usr/share/java/" + j for j in (
    "zookeeper.jar", "zookeeper-jute.jar", "netty-codec.jar", "netty-resolver.jar"))


def make_pki(d):
    pki = Pki(d)
    pki.issue("server", "/O=Paddock/CN=localhost", san="IP:127.0.0.1,DNS:localhost")
    pki.issue("server2", "/O=Paddock/CN=paddock-rotated", san="IP:127.0.0.1,DNS:localhost")
    pki.issue("client", "/C=US/O=Paddock/OU=Test/CN=client")
    pki.issue("admin", "/O=Paddock/CN=admin")
    pki.issue("expired", "/CN=expired", start="20200101000000Z", end="20200201000000Z")
    pki.issue("revoked", "/CN=revoked")
    pki.issue_by_stranger("stranger", "/CN=stranger")
    pki.revoke("revoked")
    return pki


def ssl_cfg(pki, client_auth="need", crl=False, key_store="server.pem"):
    cfg = {
        "secureClientPort": servers.free_port(),
        "secureClientPortAddress": "127.0.0.1",
        "ssl.keyStore.location": pki.path(key_store),
        "ssl.keyStore.type": "PEM",
        "ssl.trustStore.location": pki.path("trust_crl.pem" if crl else "ca.pem"),
        "ssl.trustStore.type": "PEM",
        "ssl.clientAuth": client_auth,
        "serverCnxnFactory": "org.apache.zookeeper.server.NettyServerCnxnFactory",
        "authProvider.x509": "org.apache.zookeeper.server.auth.X509AuthenticationProvider",
        "X509AuthenticationProvider.superUser": "CN=admin,O=Paddock",
    }
    if crl:
        cfg["ssl.crl"] = "true"
    return cfg


class TlsCase(unittest.TestCase):
    client_auth = "need"
    crl = False
    extra_cfg = {}

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="paddock-tls-")
        cls.pki = cls.make_pki(cls.tmp)
        cfg = ssl_cfg(cls.pki, cls.client_auth, cls.crl)
        cfg.update(cls.extra_cfg)
        cls.server = servers.make_server(cfg=cfg)
        cls.secure_port = int(cfg["secureClientPort"])
        wait_until(lambda: _port_open(cls.secure_port), 30, what="secure port open")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def make_pki(cls, d):
        return make_pki(d)

    def context(self, key_store="client"):
        ctx = ssl.create_default_context(cafile=self.pki.path("ca.pem"))
        if key_store:
            ctx.load_cert_chain(self.pki.path(key_store + ".crt"), self.pki.path(key_store + ".key"))
        return ctx

    def kazoo(self, key_store="client", port=None, timeout=10):
        kw = dict(use_ssl=True, ca=self.pki.path("ca.pem"), verify_certs=True)
        if key_store:
            kw.update(certfile=self.pki.path(key_store + ".crt"),
                      keyfile=self.pki.path(key_store + ".key"))
        zk = KazooClient(hosts="127.0.0.1:%d" % (port or self.secure_port), timeout=timeout,
                         connection_retry={"max_tries": 3, "delay": 0.1}, **kw)
        self.addCleanup(lambda: (zk.stop(), zk.close()))
        zk.start(timeout=15)
        return zk

    def handshake(self, key_store="client", port=None):
        """Handshake plus a ruok over TLS: the answer, or the error that ended it."""
        try:
            with socket.create_connection(("127.0.0.1", port or self.secure_port), timeout=10) as raw:
                with self.context(key_store).wrap_socket(raw, server_hostname="127.0.0.1") as s:
                    s.sendall(b"ruok")
                    data = s.recv(16)
                    return data.decode() if data else "closed"
        except (ssl.SSLError, ConnectionError, OSError) as e:
            return "error: %s" % e


def _port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class NeedClientAuth(TlsCase):
    def test_kazoo_with_a_client_certificate_gets_its_x509_id(self):
        zk = self.kazoo()
        p = "/tls-need-%d" % time.monotonic_ns()
        zk.create(p, b"v", acl=[make_acl("x509", CLIENT_DN, all=True)])
        self.assertEqual(zk.get(p)[0], b"v")
        acls, _ = zk.get_acls(p)
        self.assertEqual((acls[0].id.scheme, acls[0].id.id), ("x509", CLIENT_DN))
        # The auth scheme expands to the certificate's id.
        zk.create(p + "-auth", acl=[make_acl("auth", "", all=True)])
        acls, _ = zk.get_acls(p + "-auth")
        self.assertEqual([(a.id.scheme, a.id.id) for a in acls], [("x509", CLIENT_DN)])
        # A plain client on clientPort has no x509 id.
        plain = KazooClient(hosts=self.server.hostport, timeout=10)
        plain.start(timeout=15)
        self.addCleanup(lambda: (plain.stop(), plain.close()))
        with self.assertRaises(NoAuthError):
            plain.get(p)
        self.assertIsNotNone(plain.exists(p))

    def test_superuser_dn_passes_every_acl(self):
        zk = self.kazoo()
        p = "/tls-super-%d" % time.monotonic_ns()
        zk.create(p, b"mine", acl=[make_acl("x509", CLIENT_DN, all=True)])
        admin = self.kazoo("admin")
        self.assertEqual(admin.get(p)[0], b"mine")
        admin.set(p, b"admin")
        self.assertEqual(zk.get(p)[0], b"admin")

    def test_refuses_no_certificate_wrong_ca_and_expired(self):
        self.assertEqual(self.handshake("client"), "imok")
        for key_store in (None, "stranger", "expired"):
            got = self.handshake(key_store)
            self.assertNotEqual(got, "imok", key_store)
        # A refused handshake costs that connection only.
        self.assertEqual(self.handshake("client"), "imok")
        self.assertEqual(self.server.four_letter("ruok"), "imok")

    def test_zkcli_over_tls(self):
        p = "/tls-zkcli-%d" % time.monotonic_ns()
        flags = " ".join([
            "-cp", ZK_CP, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
            "-Dzookeeper.client.secure=true",
            "-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty",
            "-Dzookeeper.ssl.keyStore.location=" + self.pki.path("client.pem"),
            "-Dzookeeper.ssl.keyStore.type=PEM",
            "-Dzookeeper.ssl.trustStore.location=" + self.pki.path("ca.pem"),
            "-Dzookeeper.ssl.trustStore.type=PEM",
        ])
        old = os.environ.get("CLIENT_JVMFLAGS")
        os.environ["CLIENT_JVMFLAGS"] = flags
        try:
            out, err = run_zkcli("127.0.0.1:%d" % self.secure_port,
                                 # zkCli splits an ACL at commas, so the DN cannot be
                                 # written out: "auth" stands for the session's x509 id.
                                 ["create %s hello auth::cdrwa" % p,
                                  "get %s" % p, "getAcl %s" % p, "whoami"], timeout=90)
        finally:
            if old is None:
                os.environ.pop("CLIENT_JVMFLAGS", None)
            else:
                os.environ["CLIENT_JVMFLAGS"] = old
        self.assertIn("Created " + p, out + err)
        self.assertIn("hello", out)
        self.assertIn("'x509,'CN=client", out)  # the rest as zkCli prints it (%2C for ",")
        self.assertIn("x509: " + CLIENT_DN, out)  # whoami: "<scheme>: <id>" lines


class WantClientAuth(TlsCase):
    client_auth = "want"

    def test_with_and_without_certificate(self):
        self.assertEqual(self.handshake(None), "imok")
        self.assertEqual(self.handshake("client"), "imok")
        self.assertNotEqual(self.handshake("stranger"), "imok")
        anon = self.kazoo(None)
        p = "/tls-want-%d" % time.monotonic_ns()
        anon.create(p, acl=[make_acl("x509", CLIENT_DN, all=True)])
        with self.assertRaises(NoAuthError):
            anon.get(p)
        self.assertEqual(self.kazoo("client").get(p)[0], b"")


class NoClientAuth(TlsCase):
    client_auth = "none"

    def test_any_client_connects_and_gets_no_x509_id(self):
        self.assertEqual(self.handshake(None), "imok")
        self.assertEqual(self.handshake("stranger"), "imok")
        zk = self.kazoo("client")
        p = "/tls-none-%d" % time.monotonic_ns()
        zk.create(p, acl=[make_acl("x509", CLIENT_DN, all=True)])
        with self.assertRaises(NoAuthError):
            zk.get(p)  # no certificate was asked for, so no x509 id


class RevokedWithCrl(TlsCase):
    crl = True

    def test_revoked_certificate_is_refused(self):
        if servers.target() == "zookeeper":
            self.skipTest("ZooKeeper 3.8 checks CRLs from the certificate's distribution "
                          "points, not from the trust store")
        self.assertEqual(self.handshake("client"), "imok")
        self.assertNotEqual(self.handshake("revoked"), "imok")


class OcspRevocation(TlsCase):
    """ssl.ocsp=true: each client certificate's status is asked of the responder its
    Authority Information Access names (`openssl ocsp` on this CA's index, started here):
    good passes, revoked is refused, and with no answer to be had (no responder named, or
    the responder down) the connection is refused too, as Java's default hard-fail does."""
    extra_cfg = {"ssl.ocsp": "true"}

    @classmethod
    def make_pki(cls, d):
        cls.ocsp_port = servers.free_port()
        url = "http://127.0.0.1:%d" % cls.ocsp_port
        pki = make_pki(d)
        pki.issue("ocsp-good", "/O=Paddock/CN=ocsp-good", ocsp_url=url)
        pki.issue("ocsp-revoked", "/O=Paddock/CN=ocsp-revoked", ocsp_url=url)
        pki.revoke("ocsp-revoked")
        cls.responder = pki.ocsp_responder(cls.ocsp_port)
        # Ready once it answers a real query: a bare connect and close would wedge it (it
        # keeps waiting for that connection's request line).
        def answers():
            r = subprocess.run(["openssl", "ocsp", "-issuer", "ca.pem", "-cert", "ocsp-good.crt",
                                "-url", url, "-CAfile", "ca.pem", "-timeout", "2"],
                               cwd=pki.d, capture_output=True, text=True)
            return "ocsp-good.crt: good" in r.stdout
        wait_until(answers, 30, what="the OCSP responder")
        return pki

    @classmethod
    def tearDownClass(cls):
        cls.responder.kill()
        cls.responder.wait()
        super().tearDownClass()

    def test_good_passes_and_revoked_is_refused(self):
        self.assertEqual(self.handshake("ocsp-good"), "imok")
        zk = self.kazoo("ocsp-good")
        self.assertIsNotNone(zk.exists("/"))
        self.assertNotEqual(self.handshake("ocsp-revoked"), "imok")

    def test_a_client_that_resumes_its_session_still_gets_in(self):
        # A resumed session has no verified chain to check: the server declines resumption
        # (every handshake is a full one) rather than refusing the client.
        ctx = self.context("ocsp-good")
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # session ids/tickets of TLS 1.2
        answers = []
        session = None
        for _ in range(2):
            with socket.create_connection(("127.0.0.1", self.secure_port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname="127.0.0.1", session=session) as s:
                    s.sendall(b"ruok")
                    answers.append(s.recv(16).decode())
                    session = s.session
        self.assertEqual(answers, ["imok", "imok"])

    def test_without_an_answer_the_certificate_is_refused(self):
        # "client" names no responder.
        self.assertNotEqual(self.handshake("client"), "imok")
        self.assertEqual(self.server.four_letter("ruok"), "imok")

    def test_a_refusal_names_the_reason_in_the_log(self):
        if servers.target() != "paddock":
            self.skipTest("Paddock's log lines")
        self.handshake("ocsp-revoked")
        with open(self.server.log_path) as f:
            log = f.read()
        self.assertIn("event=tls_revocation_failed", log)
        self.assertIn("the certificate is revoked", log)


class PortUnification(TlsCase):
    extra_cfg = {"client.portUnification": "true"}

    def test_tls_and_plain_on_the_client_port(self):
        port = self.server.port
        self.assertEqual(self.handshake("client", port=port), "imok")
        self.assertEqual(self.server.four_letter("ruok"), "imok")
        tls = self.kazoo("client", port=port)
        plain = KazooClient(hosts=self.server.hostport, timeout=10)
        plain.start(timeout=15)
        self.addCleanup(lambda: (plain.stop(), plain.close()))
        p = "/tls-unified-%d" % time.monotonic_ns()
        tls.create(p, b"both")
        self.assertEqual(plain.get(p)[0], b"both")


@unittest.skipIf(servers.target() == "zookeeper", "Paddock only: ZooKeeper 3.8 does not reload "
                 "the client port's certificates, and reads JKS stores itself")
class PaddockOnly(TlsCase):
    def test_rotated_certificate_is_used_without_restart(self):
        def server_cn():
            with socket.create_connection(("127.0.0.1", self.secure_port), timeout=10) as raw:
                with self.context("client").wrap_socket(raw, server_hostname="127.0.0.1") as s:
                    return dict(x[0] for x in s.getpeercert()["subject"])["commonName"]
        self.assertEqual(server_cn(), "localhost")
        zk = self.kazoo()
        pid = self.server.proc.pid
        shutil.copy(self.pki.path("server2.pem"), self.pki.path("server.pem.new"))
        os.replace(self.pki.path("server.pem.new"), self.pki.path("server.pem"))
        wait_until(lambda: server_cn() == "paddock-rotated", 10, what="the rotated certificate")
        self.assertEqual(self.server.proc.pid, pid)
        zk.create("/tls-rotated-%d" % time.monotonic_ns())  # the old session goes on

    def test_jks_store_is_refused_with_the_keytool_command(self):
        jks = os.path.join(self.tmp, "server.jks")
        with open(jks, "wb") as f:
            f.write(b"\xfe\xed\xfe\xed" + b"\0" * 64)
        cfg = ssl_cfg(self.pki)
        cfg["ssl.keyStore.location"] = jks
        cfg.pop("ssl.keyStore.type")
        srv = servers.make_server(cfg=cfg, start=False)
        self.addCleanup(srv.close)
        srv.write_cfg()
        proc = subprocess.run(srv.command(), capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("keytool -importkeystore -srckeystore %s -srcstoretype JKS" % jks,
                      proc.stdout + proc.stderr)

    def test_bad_ssl_key_names_the_line(self):
        cfg = ssl_cfg(self.pki)
        cfg["ssl.clientAuth"] = "sometimes"
        srv = servers.make_server(cfg=cfg, start=False)
        self.addCleanup(srv.close)
        srv.write_cfg()
        proc = subprocess.run(srv.command(), capture_output=True, text=True, timeout=30)
        self.assertNotEqual(proc.returncode, 0)
        self.assertRegex(proc.stdout + proc.stderr,
                         r"zoo\.cfg:\d+: ssl\.clientAuth: invalid value 'sometimes'")


if __name__ == "__main__":
    main()
