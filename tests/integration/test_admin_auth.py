"""Who may run the admin commands that change state or show sessions, clients or secrets
(server/admin_auth.h), over real HTTP and HTTPS against paddockd:

- with the default open root every command answers, as in ZooKeeper 3.8;
- once the root's ACL is locked (setAcl through kazoo), connections/dump/stat_reset/... need
  an identity with ADMIN on "/": "Authorization: digest user:password" (ZooKeeper 3.9's
  form) or Basic; none gives 401, a wrong one 403; ruok and monitor stay open;
- an ip ACL is matched against the TCP peer only: X-Forwarded-For, Forwarded, X-Real-IP
  and a forged REMOTE_ADDR header are ignored (the CVE-2024-51504 class);
- superDigest passes any ACL;
- admin.forceHttps serves HTTPS only with the ssl.quorum.* stores; a client certificate's
  subject is an x509 id; admin.needClientAuth refuses a client without one.

ZooKeeper 3.8's admin server has no authentication at all, so this runs against paddockd
only."""

import base64
import json
import shutil
import socket
import ssl
import tempfile
import unittest
import urllib.error
import urllib.request

from kazoo.security import make_acl, make_digest_acl

from harness import servers
from harness.base import ServerTestCase, main
from harness.pki import Pki

SUPER_DIGEST = "super:D/InIHSb7yEEbrWz8b9l71RjZJU="  # super:test, as ZooKeeper's docs make it


@unittest.skipIf(servers.target() != "paddock",
                 "ZooKeeper 3.8's admin server has no authentication")
class _AdminCase(ServerTestCase):
    https = False

    @classmethod
    def setUpClass(cls):
        cls.admin_port = servers.free_port()
        cls.server_cfg = dict({"admin.enableServer": "true", "admin.serverAddress": "127.0.0.1",
                               "admin.serverPort": cls.admin_port}, **cls.extra_cfg())
        cls.server_props = {"zookeeper.DigestAuthenticationProvider.superDigest": SUPER_DIGEST}
        super().setUpClass()

    @classmethod
    def extra_cfg(cls):
        return {}

    def request(self, name, headers=None, context=None):
        scheme = "https" if self.https else "http"
        req = urllib.request.Request("%s://127.0.0.1:%d/commands/%s"
                                     % (scheme, self.admin_port, name), headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10, context=context) as r:
                return r.status, json.loads(r.read().decode()), r.headers
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode() or "null"), e.headers

    def lock_root(self, *acls):
        """The root's ACL set to `acls` plus admin:secret with every permission."""
        zk = self.kazoo()
        zk.add_auth("digest", "admin:secret")
        zk.set_acls("/", [make_digest_acl("admin", "secret", all=True)] + list(acls))

        def unlock():
            z = self.kazoo()
            z.add_auth("digest", "admin:secret")
            z.set_acls("/", [make_acl("world", "anyone", all=True)])
        self.addCleanup(unlock)


class AdminAuthOverHttp(_AdminCase):
    PROTECTED = ["connections", "dump", "watches", "watches_by_path", "stats", "stat_reset",
                 "connection_stat_reset", "set_trace_mask?traceMask=0",
                 "observer_connection_stat_reset", "initial_configuration",
                 "system_properties"]

    def test_an_open_root_keeps_every_command_open(self):
        for name in self.PROTECTED:
            status, body, _ = self.request(name)
            self.assertEqual(status, 200, (name, body))

    def test_a_locked_root_needs_an_admin_identity(self):
        self.lock_root()
        for name in self.PROTECTED:
            status, body, headers = self.request(name)
            self.assertEqual(status, 401, (name, body))
            self.assertIn("Authentication required", body["error"])
            self.assertIn("Basic", headers.get("WWW-Authenticate", ""))
            status, body, _ = self.request(name, {"Authorization": "digest admin:wrong"})
            self.assertEqual(status, 403, (name, body))
            status, body, _ = self.request(name, {"Authorization": "digest admin:secret"})
            self.assertEqual(status, 200, (name, body))
        basic = base64.b64encode(b"admin:secret").decode()
        self.assertEqual(self.request("connections", {"Authorization": "Basic " + basic})[0], 200)
        # Reading commands without sessions or secrets stay open, as ruok and monitor.
        for name in ("ruok", "monitor", "server_stats", "environment", "watch_summary"):
            self.assertEqual(self.request(name)[0], 200, name)

    def test_forwarding_headers_never_count_as_the_address(self):
        # Only 10.9.8.7 may run admin commands by address; the test connects from 127.0.0.1
        # and claims 10.9.8.7 in every header a proxy might add.
        self.lock_root(make_acl("ip", "10.9.8.7", all=True))
        for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "REMOTE_ADDR",
                       "X-Client-IP"):
            value = "for=10.9.8.7" if header == "Forwarded" else "10.9.8.7"
            status, body, _ = self.request("connections", {header: value})
            self.assertEqual(status, 401, (header, body))
        # The real peer address does count.
        self.lock_root(make_acl("ip", "127.0.0.1", admin=True))
        self.assertEqual(self.request("connections")[0], 200)

    def test_the_consoles_sessions_view_is_guarded_like_cons(self):
        def get(headers=None):
            req = urllib.request.Request("http://127.0.0.1:%d/console/api/sessions"
                                         % self.admin_port, headers=headers or {})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    return r.status
            except urllib.error.HTTPError as e:
                return e.code
        self.assertEqual(get(), 200)  # the open root
        self.lock_root()
        self.assertEqual(get(), 401)
        self.assertEqual(get({"X-Forwarded-For": "127.0.0.1"}), 401)
        basic = base64.b64encode(b"admin:secret").decode()
        self.assertEqual(get({"Authorization": "Basic " + basic}), 200)

    def test_super_digest_passes_any_acl(self):
        self.lock_root()
        status, body, _ = self.request("dump", {"Authorization": "digest super:test"})
        self.assertEqual(status, 200, body)

    def test_refusals_are_logged_with_the_peer(self):
        self.lock_root()
        self.request("connections", {"X-Forwarded-For": "10.9.8.7"})
        with open(self.server.log_path) as f:
            log = f.read()
        self.assertIn("event=admin_refused command=connections peer=127.0.0.1", log)
        self.assertNotIn("peer=10.9.8.7", log)


class _HttpsCase(_AdminCase):
    https = True
    need_client_auth = False

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="paddock-admin-tls-")
        cls.pki = Pki(cls.tmp)
        cls.pki.issue("server", "/O=Paddock/CN=localhost", san="IP:127.0.0.1,DNS:localhost")
        cls.pki.issue("admin", "/O=Paddock/CN=admin")
        try:
            super().setUpClass()
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def extra_cfg(cls):
        return {"admin.forceHttps": "true",
                "admin.needClientAuth": "true" if cls.need_client_auth else "false",
                "ssl.quorum.keyStore.location": cls.pki.path("server.pem"),
                "ssl.quorum.trustStore.location": cls.pki.path("ca.pem")}

    def context(self, cert=None):
        ctx = ssl.create_default_context(cafile=self.pki.path("ca.pem"))
        if cert:
            ctx.load_cert_chain(self.pki.path(cert + ".crt"), self.pki.path(cert + ".key"))
        return ctx


class AdminOverHttps(_HttpsCase):
    def test_https_only_and_the_client_certificate_is_an_x509_id(self):
        # Plain HTTP on the HTTPS port gets nothing.
        with self.assertRaises((urllib.error.URLError, ConnectionError, OSError)):
            urllib.request.urlopen("http://127.0.0.1:%d/commands/ruok" % self.admin_port,
                                   timeout=5).read()
        self.assertEqual(self.request("ruok", context=self.context())[0], 200)
        self.lock_root(make_acl("x509", "CN=admin,O=Paddock", admin=True))
        self.assertEqual(self.request("connections", context=self.context())[0], 401)
        status, body, _ = self.request("connections", context=self.context("admin"))
        self.assertEqual(status, 200, body)


class AdminOverHttpAndHttpsOnOnePort(_HttpsCase):
    """admin.portUnification: ZooKeeper's Jetty admin server takes both on its one port."""

    @classmethod
    def extra_cfg(cls):
        cfg = super().extra_cfg()
        del cfg["admin.forceHttps"]
        cfg["admin.portUnification"] = "true"
        return cfg

    def plain(self, name):
        self.https = False
        try:
            return self.request(name)
        finally:
            self.https = True

    def test_both_are_served_and_only_https_carries_a_certificate(self):
        self.assertEqual(self.plain("ruok")[0], 200)
        self.assertEqual(self.request("ruok", context=self.context())[0], 200)
        self.lock_root(make_acl("x509", "CN=admin,O=Paddock", admin=True))
        status, body, _ = self.request("connections", context=self.context("admin"))
        self.assertEqual(status, 200, body)
        self.assertEqual(self.request("connections", context=self.context())[0], 401)
        self.assertEqual(self.plain("connections")[0], 401)
        self.assertEqual(self.plain("ruok")[0], 200)

    def test_a_plain_request_is_judged_by_its_tcp_peer(self):
        self.lock_root(make_acl("ip", "127.0.0.1", admin=True))
        self.assertEqual(self.plain("connections")[0], 200)
        self.assertEqual(self.request("connections", context=self.context())[0], 200)

    def test_bytes_that_are_neither_close_only_that_connection(self):
        for junk in (b"\x16\x03\x01\x00\x05hello", b"\x00\x01\x02", b"GARBAGE\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", self.admin_port), timeout=10) as s:
                try:  # the server may answer 400 or reset at once; either way it closes
                    s.sendall(junk)
                    s.shutdown(socket.SHUT_WR)
                    while s.recv(4096):
                        pass
                except (ConnectionError, OSError):
                    pass
        self.assertEqual(self.plain("ruok")[0], 200)
        self.assertEqual(self.request("ruok", context=self.context())[0], 200)


class AdminOverHttpsNeedingCertificates(_HttpsCase):
    need_client_auth = True

    def test_a_client_without_a_certificate_is_refused_at_the_handshake(self):
        with self.assertRaises((urllib.error.URLError, ssl.SSLError, ConnectionError)):
            self.request("ruok", context=self.context())
        self.assertEqual(self.request("ruok", context=self.context("admin"))[0], 200)
        # The server goes on serving clients on its client port.
        socket.create_connection(("127.0.0.1", self.server.port), timeout=5).close()


if __name__ == "__main__":
    main()
