"""SASL GSSAPI (Kerberos) for clients, against a real MIT KDC (Debian krb5-kdc) that the
test starts on loopback in a temporary realm: a service keytab for the server
(zookeeper/localhost), a client principal with a ticket (kinit from its keytab) for kazoo
and a keytab for zkCli.sh; `sasl:` ACLs on the principal, with and without
kerberos.removeRealmFromPrincipal. Runs against ZooKeeper 3.8 too
(PADDOCK_TEST_TARGET=zookeeper)."""

import os
import subprocess

from kazoo.exceptions import NoAuthError
from kazoo.security import make_acl

from harness import servers
from harness.base import ServerTestCase, main
from harness.clis import _NOISE
from harness.kdc import REALM, Kdc

SASL_PROVIDER = "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"


class KerberosCase(ServerTestCase):
    extra_props = {}

    @classmethod
    def setUpClass(cls):
        cls.kdc = Kdc()
        try:
            cls.server_keytab = cls.kdc.keytab("zookeeper/localhost", "server.keytab")
            cls.alice_keytab = cls.kdc.keytab("alice", "alice.keytab")
            cls.ccache = os.path.join(cls.kdc.dir, "ccache")
            # The test process (kazoo, through python3-kerberos) and paddockd read these.
            os.environ["KRB5_CONFIG"] = cls.kdc.krb5_conf
            os.environ["KRB5CCNAME"] = "FILE:" + cls.ccache
            cls.kdc.run(["kinit", "-k", "-t", cls.alice_keytab, "-c", cls.ccache, "alice"])
            jaas = os.path.join(cls.kdc.dir, "server.jaas")
            with open(jaas, "w") as f:
                f.write('Server {\n  com.sun.security.auth.module.Krb5LoginModule required\n'
                        '  useKeyTab=true keyTab="%s" storeKey=true useTicketCache=false\n'
                        '  principal="zookeeper/localhost@%s";\n};\n' % (cls.server_keytab, REALM))
            props = {"java.security.auth.login.config": jaas,
                     "java.security.krb5.conf": cls.kdc.krb5_conf}
            props.update(cls.extra_props)
            cls.server = servers.make_server(cfg={"authProvider.1": SASL_PROVIDER}, props=props)
        except BaseException:
            cls.kdc.close()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.kdc.close()

    def hosts(self):
        return "localhost:%d" % self.server.port

    def gssapi_kazoo(self):
        return self.kazoo(hosts=self.hosts(),
                          sasl_options={"mechanism": "GSSAPI", "service": "zookeeper"})

    def zkcli(self, commands, timeout=90):
        jaas = os.path.join(self.kdc.dir, "client.jaas")
        with open(jaas, "w") as f:
            f.write('Client {\n  com.sun.security.auth.module.Krb5LoginModule required\n'
                    '  useKeyTab=true keyTab="%s" storeKey=true useTicketCache=false\n'
                    '  principal="alice@%s";\n};\n' % (self.alice_keytab, REALM))
        env = dict(os.environ)
        env["CLIENT_JVMFLAGS"] = (
            "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m "
            "-Djava.security.auth.login.config=%s -Djava.security.krb5.conf=%s"
            % (jaas, self.kdc.krb5_conf))
        proc = subprocess.run([servers.ZKCLI, "-server", self.hosts()],
                              input="\n".join(commands + ["quit"]) + "\n",
                              capture_output=True, text=True, timeout=timeout, env=env)
        return "\n".join(l for l in (proc.stdout + proc.stderr).splitlines()
                         if not _NOISE.match(l))


class Kerberos(KerberosCase):
    def test_kazoo_with_a_ticket_holds_the_principal_and_sasl_acl_is_enforced(self):
        alice = self.gssapi_kazoo()
        p = self.unique()
        alice.create(p, b"krb", acl=[make_acl("auth", "", all=True)])
        acls, _ = alice.get_acls(p)
        self.assertEqual([(a.id.scheme, a.id.id) for a in acls], [("sasl", "alice@" + REALM)])
        self.assertEqual(alice.get(p)[0], b"krb")
        with self.assertRaises(NoAuthError):
            self.kazoo().get(p)

    # The Java client holds its requests until the last SASL answer carries a null token
    # (an empty one left zkCli.sh reconnecting every read timeout against paddockd).
    def test_zkcli_with_a_keytab_reads_a_node_of_the_principal(self):
        alice = self.gssapi_kazoo()
        p = self.unique()
        alice.create(p, b"for-zkcli", acl=[make_acl("sasl", "alice@" + REALM, all=True)])
        out = self.zkcli(["get %s" % p, "create %s/c child sasl:alice@%s:cdrwa" % (p, REALM)])
        self.assertIn("for-zkcli", out)
        self.assertEqual(alice.get(p + "/c")[0], b"child")


class KerberosWithoutRealm(KerberosCase):
    extra_props = {"zookeeper.kerberos.removeRealmFromPrincipal": "true"}

    def test_principal_without_realm_is_the_sasl_id(self):
        alice = self.gssapi_kazoo()
        p = self.unique()
        alice.create(p, b"x", acl=[make_acl("sasl", "alice", all=True)])
        self.assertEqual(alice.get(p)[0], b"x")
        with self.assertRaises(NoAuthError):
            self.kazoo().get(p)


if __name__ == "__main__":
    main()
