"""A throw-away MIT Kerberos KDC (Debian krb5-kdc) on a free loopback port, its database in a
temp dir: `Kdc()`, then `keytab(principal, file name)` makes a principal with a random key
and exports it; `env` / `krb5_conf` point clients (kinit, paddockd through KRB5_CONFIG,
Java through -Djava.security.krb5.conf) at it; `close()` kills it and removes the dir.
Shared by the client-port and the quorum Kerberos tests."""

import os
import shutil
import subprocess
import tempfile
import time

from harness import servers

REALM = "PADDOCK.TEST"


class Kdc:
    """krb5kdc in the foreground on a free loopback port, its database in a temp dir."""

    def __init__(self, realm=REALM):
        self.realm = realm
        self.dir = tempfile.mkdtemp(prefix="paddock-kdc-")
        self.port = servers.free_port()
        self.krb5_conf = os.path.join(self.dir, "krb5.conf")
        self.kdc_conf = os.path.join(self.dir, "kdc.conf")
        with open(self.krb5_conf, "w") as f:
            f.write("[libdefaults]\n default_realm = %s\n dns_lookup_kdc = false\n"
                    " dns_lookup_realm = false\n rdns = false\n dns_canonicalize_hostname = false\n"
                    " udp_preference_limit = 1\n forwardable = true\n\n"
                    "[realms]\n %s = {\n  kdc = 127.0.0.1:%d\n }\n\n"
                    "[domain_realm]\n localhost = %s\n" % (realm, realm, self.port, realm))
        with open(self.kdc_conf, "w") as f:
            f.write("[kdcdefaults]\n kdc_ports = %d\n kdc_tcp_ports = %d\n\n"
                    "[realms]\n %s = {\n  database_name = %s/principal\n"
                    "  key_stash_file = %s/stash\n  acl_file = %s/kadm5.acl\n"
                    "  supported_enctypes = aes256-cts-hmac-sha1-96:normal "
                    "aes128-cts-hmac-sha1-96:normal\n }\n"
                    "[logging]\n kdc = FILE:%s/kdc.log\n"
                    % (self.port, self.port, realm, self.dir, self.dir, self.dir, self.dir))
        open(os.path.join(self.dir, "kadm5.acl"), "w").close()
        self.env = dict(os.environ, KRB5_CONFIG=self.krb5_conf, KRB5_KDC_PROFILE=self.kdc_conf)
        self.proc = None
        try:
            self.run(["kdb5_util", "create", "-s", "-r", realm, "-P", "masterpw"])
            self.proc = subprocess.Popen(["krb5kdc", "-n", "-r", realm], env=self.env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         preexec_fn=servers._die_with_parent)
            deadline = time.monotonic() + 20
            while True:  # the KDC answers once kinit with a bad password says so
                r = subprocess.run(["kinit", "nobody@" + realm], input="x\n", env=self.env,
                                   capture_output=True, text=True)
                if "not found in Kerberos database" in r.stderr or "Client" in r.stderr:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("KDC did not answer: %s" % r.stderr)
                time.sleep(0.1)
        except BaseException:
            self.close()
            raise

    def run(self, cmd):
        r = subprocess.run(cmd, env=self.env, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("%s failed: %s %s" % (cmd, r.stdout, r.stderr))
        return r.stdout

    def keytab(self, principal, name):
        """Adds `principal` (random key) and exports it into the keytab file `name`."""
        path = os.path.join(self.dir, name)
        self.run(["kadmin.local", "-r", self.realm, "-q", "addprinc -randkey %s" % principal])
        self.run(["kadmin.local", "-r", self.realm, "-q", "ktadd -k %s %s" % (path, principal)])
        return path

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
