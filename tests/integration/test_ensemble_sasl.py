"""Quorum SASL between servers (ZooKeeper 3.8's quorum.auth.*: server-to-server
authentication on the election and quorum ports) in real ensembles, against Paddock and,
with PADDOCK_TEST_TARGET=zookeeper, against ZooKeeper 3.8 itself.

- DigestEnsemble: three members with DIGEST-MD5 and all three switches on
  (enableSasl, learnerRequireSasl, serverRequireSasl) elect, replicate and elect again after
  a kill -9 of the leader; a member with wrong credentials is refused (logged) while the
  others serve, and joins once its credentials are right; both peer ports drop a peer that
  does not authenticate without answering it (CVE-2018-8012).
- RollingUpgrade: a plain ensemble turns quorum SASL on one server at a time, in
  ZooKeeper's documented three steps (enableSasl; learnerRequireSasl; serverRequireSasl),
  keeping a quorum and every write: the flag matrix's tolerances.
- MixedDigestEnsemble (paddock target only): two ZooKeeper 3.8 members and one Paddock
  member authenticate each other and replicate both ways, the Paddock member leading and
  following.
- SaslOverTls: sslQuorum and DIGEST-MD5 quorum SASL together (the exchange inside the TLS
  stream), 2 ZooKeeper + 1 Paddock (3 ZooKeeper with the zookeeper target).
- Kerberos*: a real MIT KDC (harness/kdc.py); members' principal zkquorum/localhost, the
  server lines name localhost, quorum.auth.kerberos.servicePrincipal=zkquorum/_HOST. Three
  members elect and replicate over GSSAPI; a member that logs in as zkquorum/evilhost or as
  eve (no host part) is refused (CVE-2023-44981) while the others serve; and (paddock target
  only) two ZooKeeper members and a Paddock member share a GSSAPI ensemble -- Java learners
  authenticating to Paddock's Cyrus server needs the realm Cyrus strips put back.
"""

import os
import shutil
import socket
import sys
import tempfile
import time
import unittest

from harness.ensemble import EnsembleTestCase
from harness.kdc import Kdc
from harness.servers import target

SASL_ON = {
    "quorum.auth.enableSasl": "true",
    "quorum.auth.learnerRequireSasl": "true",
    "quorum.auth.serverRequireSasl": "true",
}
REFUSED = "Failed to authenticate using SASL"  # ZooKeeper's words; Paddock's lines quote them

# A learner's FOLLOWERINFO as ZooKeeper 3.8 writes it (type 11, zxid 0, LearnerInfo{sid 1,
# protocol 0x10000, config version 0}, no authinfo), captured on the quorum port.
FOLLOWERINFO = bytes.fromhex("0000000b000000000000000000000014000000000000000100010000"
                             "0000000000000000ffffffff")


def digest_jaas(user="test", password="test123", users=None):
    users = users or {"test": "test123"}
    return ("QuorumServer {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n"
            + "".join('  user_%s="%s"\n' % kv for kv in users.items()) + ";\n};\n"
            "QuorumLearner {\n  org.apache.zookeeper.server.auth.DigestLoginModule required\n"
            '  username="%s"\n  password="%s";\n};\n' % (user, password))


def krb_module(keytab, principal):
    return ('  com.sun.security.auth.module.Krb5LoginModule required\n  useKeyTab=true\n'
            '  keyTab="%s"\n  storeKey=true\n  useTicketCache=false\n  principal="%s";\n'
            % (keytab, principal))


def kerberos_jaas(server_keytab, server_principal, learner_keytab, learner_principal):
    return ("QuorumServer {\n" + krb_module(server_keytab, server_principal) + "};\n"
            "QuorumLearner {\n" + krb_module(learner_keytab, learner_principal) + "};\n")


class _SaslCase(EnsembleTestCase):
    session_timeout = 10.0

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="paddock-quorum-sasl-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def file(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    @staticmethod
    def log_of(ens, sid):
        with open(ens.members[sid].log_path, errors="replace") as f:
            return f.read()

    def wait_log(self, ens, sids, needle, after=None, timeout=60.0):
        """Waits until the log of one of `sids` holds `needle` past offset after[sid]."""
        after = after or {}
        deadline = time.monotonic() + timeout
        while True:
            for s in sids:
                if needle in self.log_of(ens, s)[after.get(s, 0):]:
                    return s
            if time.monotonic() > deadline:
                self.fail("no member of %s logged %r within %.0fs\n%s"
                          % (sids, needle, timeout, ens.describe()))
            time.sleep(0.1)

    def assert_never_serves(self, ens, sid, seconds=3.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.assertIsNone(ens.mode(sid), "server.%d serves, unauthenticated" % sid)
            time.sleep(0.2)

    def impostor_is_refused(self, ens, sid, props, needle):
        """Restarts member `sid` with `props` (bad credentials): the others log `needle`, it
        never serves, and the rest of the ensemble goes on serving."""
        others = [s for s in ens.sids if s != sid]
        good = dict(ens.members[sid].props)
        ens.kill9(sid)
        ens.wait_serving(others, timeout=60)
        offsets = {s: len(self.log_of(ens, s)) for s in others}
        ens.members[sid].props.update(props)
        ens.start(sid, wait=False)
        self.wait_log(ens, others, needle, after=offsets)
        self.assert_never_serves(ens, sid)
        self.replicate(ens, "/after-impostor-%d" % time.monotonic_ns(), sids=others)
        ens.kill9(sid)
        ens.members[sid].props.clear()
        ens.members[sid].props.update(good)
        ens.start(sid, timeout=90)
        ens.wait_zxids_equal()


class DigestEnsemble(_SaslCase):
    def ensemble_with_digest(self):
        jaas = self.file("jaas.conf", digest_jaas())
        return self.ensemble(3, cfg=SASL_ON, props={"java.security.auth.login.config": jaas})

    def test_three_members_authenticate_elect_and_replicate(self):
        ens = self.ensemble_with_digest()
        self.replicate(ens, "/sasl")
        old = ens.leader()
        ens.kill9(old)
        ens.wait_leader(among=[s for s in ens.sids if s != old], timeout=60)
        self.replicate(ens, "/sasl-after")
        ens.start(old)
        ens.wait_zxids_equal()
        if target() == "paddock":
            for sid in ens.sids:
                log = self.log_of(ens, sid)
                self.assertIn("event=quorum_sasl quorum.auth.enableSasl=true", log)
                self.assertIn("Successfully completed the authentication using SASL. learner "
                              "addr:", log)
                self.assertIn("Successfully completed the authentication using SASL. server "
                              "addr:", log)

    def test_a_member_with_wrong_credentials_is_refused_while_the_others_serve(self):
        ens = self.ensemble_with_digest()
        # Wrong on both sides: its learner's password, and its server's users (so that the
        # others' connections to it fail too and it hears no votes at all).
        wrong = self.file("wrong.conf", digest_jaas(password="nope", users={"test": "nope"}))
        self.impostor_is_refused(ens, 3, {"java.security.auth.login.config": wrong}, REFUSED)

    def test_peer_ports_drop_a_peer_that_does_not_authenticate(self):
        # CVE-2018-8012: with the three switches on, nothing unauthenticated gets in.
        ens = self.ensemble_with_digest()
        leader = ens.leader()
        _, quorum_port, election_port = ens.ports[leader]
        init = ((-65536) & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "big") + (99).to_bytes(8, "big")
        addr = b"127.0.0.1:1"
        init += len(addr).to_bytes(4, "big") + addr
        for port, first in ((quorum_port, FOLLOWERINFO), (election_port, init + b"\0" * 48)):
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(first)
                try:
                    answer = s.recv(64)
                except ConnectionResetError:  # closed with our bytes unread
                    answer = b""
                self.assertEqual(answer, b"", "port %d answered an unauthenticated peer" % port)
        self.replicate(ens, "/still-serving")


class RollingUpgrade(_SaslCase):
    def test_quorum_sasl_is_turned_on_one_server_at_a_time(self):
        # ZooKeeper's documented steps, each rolled through the ensemble: (1) enableSasl
        # (members look for the auth packet but let plain peers in; learners do not
        # authenticate yet); (2) learnerRequireSasl (every member authenticates when it
        # dials; members of step 1 answer); (3) serverRequireSasl.
        jaas = self.file("jaas.conf", digest_jaas())
        ens = self.ensemble(3)
        writer = self.client(ens.connect_string())
        writer.ensure_path("/rolling")
        count = [0]

        def write():
            count[0] += 1
            writer.retry(writer.create, "/rolling/w-%04d" % count[0], b"x")

        steps = [{"quorum.auth.enableSasl": "true"},
                 {"quorum.auth.enableSasl": "true", "quorum.auth.learnerRequireSasl": "true"},
                 SASL_ON]
        for step in steps:
            for sid in ens.sids:
                ens.members[sid].cfg.update(step)
                ens.members[sid].props["java.security.auth.login.config"] = jaas
                ens.restart(sid)
                write()
                ens.wait_serving(ens.sids, timeout=60)
                write()
        for sid in ens.sids:
            zk = self.client(ens.hostport(sid))
            zk.sync("/rolling")
            self.assertEqual(len(zk.get_children("/rolling")), count[0], "server.%d" % sid)


@unittest.skipUnless(target() == "paddock",
                     "a mixed ensemble needs a Paddock member: PADDOCK_TEST_TARGET is %r"
                     % target())
class MixedDigestEnsemble(_SaslCase):
    def test_zookeeper_and_paddock_members_authenticate_and_replicate(self):
        jaas = self.file("jaas.conf", digest_jaas())
        ens = self.ensemble(3, kinds={1: "zookeeper", 2: "zookeeper", 3: "paddock"},
                            cfg=SASL_ON, props={"java.security.auth.login.config": jaas})
        sys.stderr.write("\n  server.%d (%s) leads\n" % (ens.leader(), ens.kinds[ens.leader()]))
        self.replicate(ens, "/mixed-sasl")
        # Hand leadership to the other kind (or back) and replicate again.
        old = ens.leader()
        ens.kill9(old)
        ens.wait_leader(among=[s for s in ens.sids if s != old], timeout=60)
        ens.start(old)
        ens.wait_serving(ens.sids, timeout=90)
        sys.stderr.write("  then server.%d (%s) leads\n" % (ens.leader(),
                                                            ens.kinds[ens.leader()]))
        self.replicate(ens, "/mixed-sasl-after")
        log = self.log_of(ens, 3)
        self.assertIn("Successfully completed the authentication using SASL. learner addr:", log)
        self.assertIn("Successfully completed the authentication using SASL. server addr:", log)
        self.assertNotIn("event=quorum_sasl_refused", log)


class SaslOverTls(_SaslCase):
    """sslQuorum and quorum SASL together: the SASL exchange runs inside the TLS stream, on
    both peer ports, against ZooKeeper 3.8 members too (paddock target: 2 ZooKeeper + 1
    Paddock; zookeeper target: 3 ZooKeeper)."""

    def test_members_authenticate_over_tls_and_replicate(self):
        from harness.pki import Pki
        pki = Pki(os.path.join(self.tmp, "pki-%d" % time.monotonic_ns()))
        pki.issue("member", "/O=Paddock/CN=localhost", san="IP:127.0.0.1,DNS:localhost")
        cfg = dict(SASL_ON)
        cfg.update({"sslQuorum": "true",
                    "ssl.quorum.keyStore.location": pki.path("member.pem"),
                    "ssl.quorum.keyStore.type": "PEM",
                    "ssl.quorum.trustStore.location": pki.path("ca.pem"),
                    "ssl.quorum.trustStore.type": "PEM"})
        jaas = self.file("jaas.conf", digest_jaas())
        kinds = ({1: "zookeeper", 2: "zookeeper", 3: "paddock"} if target() == "paddock"
                 else None)
        ens = self.ensemble(3, kinds=kinds, cfg=cfg,
                            props={"java.security.auth.login.config": jaas})
        self.replicate(ens, "/sasl-over-tls")
        if target() == "paddock":
            log = self.log_of(ens, 3)
            self.assertIn("event=quorum_tls ssl_quorum=true", log)
            self.assertIn("Successfully completed the authentication using SASL.", log)


class _KerberosCase(_SaslCase):
    @classmethod
    def setUpClass(cls):
        cls.kdc = Kdc()
        try:
            realm = cls.kdc.realm
            cls.member = "zkquorum/localhost@" + realm
            cls.member_keytab = cls.kdc.keytab(cls.member, "zkquorum.keytab")
            cls.evil = "zkquorum/evilhost@" + realm
            cls.evil_keytab = cls.kdc.keytab(cls.evil, "evilhost.keytab")
            cls.eve = "eve@" + realm
            cls.eve_keytab = cls.kdc.keytab(cls.eve, "eve.keytab")
        except BaseException:
            cls.kdc.close()
            raise
        # paddockd (MIT krb5) reads the KDC's address from KRB5_CONFIG; ZooKeeper gets it
        # as java.security.krb5.conf.
        cls.saved_krb5_config = os.environ.get("KRB5_CONFIG")
        os.environ["KRB5_CONFIG"] = cls.kdc.krb5_conf

    @classmethod
    def tearDownClass(cls):
        if cls.saved_krb5_config is None:
            os.environ.pop("KRB5_CONFIG", None)
        else:
            os.environ["KRB5_CONFIG"] = cls.saved_krb5_config
        cls.kdc.close()

    def props(self, learner_keytab=None, learner_principal=None, name="jaas.conf"):
        jaas = self.file(name, kerberos_jaas(self.member_keytab, self.member,
                                             learner_keytab or self.member_keytab,
                                             learner_principal or self.member))
        return {"java.security.auth.login.config": jaas,
                "java.security.krb5.conf": self.kdc.krb5_conf}

    def kerberos_ensemble(self, kinds=None):
        # The principals' instance is "localhost", so the server lines must say localhost:
        # a Kerberos learner's host must be the host of a server.N line (CVE-2023-44981),
        # and _HOST asks each peer for zkquorum/<its line's host>.
        cfg = dict(SASL_ON)
        cfg["quorum.auth.kerberos.servicePrincipal"] = "zkquorum/_HOST"
        ens = self.ensemble(3, kinds=kinds, cfg=cfg, props=self.props(), start=False)
        for srv in ens.members.values():
            for key, value in list(srv.cfg.items()):
                if key.startswith("server."):
                    srv.cfg[key] = value.replace("127.0.0.1:", "localhost:", 1)
        return ens.start_all(timeout=120)


class KerberosEnsemble(_KerberosCase):
    def test_three_members_authenticate_with_gssapi_and_replicate(self):
        ens = self.kerberos_ensemble()
        self.replicate(ens, "/krb")
        old = ens.leader()
        ens.kill9(old)
        ens.wait_leader(among=[s for s in ens.sids if s != old], timeout=60)
        self.replicate(ens, "/krb-after")
        ens.start(old)
        ens.wait_zxids_equal()
        if target() == "paddock":
            log = self.log_of(ens, old)
            self.assertIn("mechanism=GSSAPI", log)
            self.assertIn("id=%s" % self.member, log)

    # CVE-2023-44981: a valid ticket is not enough; the principal must be service/host with
    # the host of a server.N line. Member 3 comes back logged in as another principal; its
    # server side stays genuine, so the refusal is the others' authorization of its learner.
    # (One ensemble each: Paddock writes at most 10 refusal lines a minute per address.)
    def refuse_member_logged_in_as(self, keytab, principal):
        ens = self.kerberos_ensemble()
        self.impostor_is_refused(
            ens, 3, self.props(keytab, principal, name="impostor.conf"),
            "SASL authorization completed, %s is not authorized to connect" % principal)

    def test_a_principal_of_a_host_that_is_no_member_is_refused(self):
        self.refuse_member_logged_in_as(self.evil_keytab, self.evil)

    def test_a_principal_without_a_host_is_refused(self):
        self.refuse_member_logged_in_as(self.eve_keytab, self.eve)


@unittest.skipUnless(target() == "paddock",
                     "a mixed ensemble needs a Paddock member: PADDOCK_TEST_TARGET is %r"
                     % target())
class MixedKerberosEnsemble(_KerberosCase):
    def test_zookeeper_and_paddock_members_authenticate_with_gssapi(self):
        ens = self.kerberos_ensemble(kinds={1: "zookeeper", 2: "zookeeper", 3: "paddock"})
        self.replicate(ens, "/mixed-krb")
        old = ens.leader()
        ens.kill9(old)
        ens.wait_leader(among=[s for s in ens.sids if s != old], timeout=60)
        ens.start(old)
        ens.wait_serving(ens.sids, timeout=90)
        self.replicate(ens, "/mixed-krb-after")
        log = self.log_of(ens, 3)
        # Java learners (their authorization id carries the realm) got in.
        self.assertIn("id=%s" % self.member, log)
        self.assertNotIn("is not authorized to connect", log)


if __name__ == "__main__":
    from harness.base import main
    main()
