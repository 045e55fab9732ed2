"""Certificates for the TLS tests, made with the openssl command: a CA made with `openssl ca`
(so certificates can be revoked and backdated), leaf certificates with optional SANs, a
certificate from a CA nobody trusts, PEM key stores (key then certificate) and a CRL."""

import os
import subprocess


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


class Pki:
    """A CA made with `openssl ca` (so certificates can be revoked and backdated)."""

    def __init__(self, d):
        self.d = d
        for sub in ("newcerts",):
            os.makedirs(os.path.join(d, sub))
        open(os.path.join(d, "index.txt"), "w").close()
        with open(os.path.join(d, "serial"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(d, "crlnumber"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(d, "ca.cnf"), "w") as f:
            f.write(CA_CNF.replace("@DIR@", d))
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30",
                "-subj", "/O=Paddock Test/CN=Paddock Test CA", cwd=d)

    def path(self, name):
        return os.path.join(self.d, name)

    def issue(self, name, subj, san=None, start=None, end=None, ocsp_url=None):
        """`ocsp_url`: the responder named in the certificate's Authority Information
        Access (ssl.ocsp)."""
        args = ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", subj]
        if san:
            args += ["-addext", "subjectAltName=" + san]
        openssl(*args, cwd=self.d)
        args = ["ca", "-batch", "-config", "ca.cnf", "-in", name + ".csr", "-out", name + ".crt",
                "-notext"]
        args += ["-startdate", start, "-enddate", end] if start else ["-days", "30"]
        if ocsp_url:
            ext = self.path(name + ".ext")
            with open(ext, "w") as f:
                f.write("[ leaf_ocsp ]\nbasicConstraints = CA:FALSE\n"
                        "authorityInfoAccess = OCSP;URI:%s\n" % ocsp_url)
            args += ["-extfile", ext, "-extensions", "leaf_ocsp"]
        openssl(*args, cwd=self.d)
        self._bundle(name)

    def ocsp_responder(self, port):
        """`openssl ocsp` answering for this CA from its index on `port`, signed by
        the CA itself (it listens on every address); the caller stops it."""
        return subprocess.Popen(
            ["openssl", "ocsp", "-index", "index.txt", "-port", str(port),
             "-rsigner", "ca.pem", "-rkey", "ca.key", "-CA", "ca.pem", "-ignore_err"],
            cwd=self.d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def issue_by_stranger(self, name, subj):
        d = self.d
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "stranger-ca.key", "-out", "stranger-ca.pem", "-days", "30",
                "-subj", "/CN=Stranger CA", cwd=d)
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", subj, cwd=d)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "stranger-ca.pem", "-CAkey",
                "stranger-ca.key", "-CAcreateserial", "-out", name + ".crt", "-days", "30", cwd=d)
        self._bundle(name)

    def _bundle(self, name):
        # A PEM key store: the private key, then the certificate.
        with open(self.path(name + ".pem"), "w") as out:
            for part in (name + ".key", name + ".crt"):
                with open(self.path(part)) as f:
                    out.write(f.read())

    def revoke(self, name):
        openssl("ca", "-config", "ca.cnf", "-revoke", name + ".crt", cwd=self.d)
        openssl("ca", "-config", "ca.cnf", "-gencrl", "-out", "crl.pem", cwd=self.d)
        with open(self.path("trust_crl.pem"), "w") as out:
            for part in ("ca.pem", "crl.pem"):
                with open(self.path(part)) as f:
                    out.write(f.read())


CA_CNF = """
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = @DIR@
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
default_crl_days = 30
policy = policy_any
preserve = yes
copy_extensions = copy
unique_subject = no
x509_extensions = leaf
[ policy_any ]
countryName = optional
stateOrProvinceName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
[ leaf ]
basicConstraints = CA:FALSE
"""
