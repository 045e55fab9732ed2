#!/usr/bin/python3
"""Kerberos logins next to a bystander's reads, for two or more paddockd binaries: how long
the bystander waits while other clients authenticate with GSSAPI. A GSSAPI accept (keytab
read, ticket decryption) costs the server about a millisecond; where it runs decides who
waits for it.

  bench/sasl_storm_ab.py --paddock build/bin/paddock \\
      --paddockd before=/tmp/paddockd-before --paddockd after=build/bin/paddockd --rounds 3
  bench/sasl_storm_ab.py --paddock build/bin/paddock --paddockd paddock=build/bin/paddockd \\
      --zookeeper --rate 100   # side by side with Apache ZooKeeper 3.8, at one login rate

A throw-away MIT KDC (tests/harness/kdc.py) issues a service keytab for zookeeper/localhost
and a ticket for alice. Each run starts a standalone paddockd with a JAAS Server section on
that keytab, then for --duration seconds at once:
  - the bystander: `paddock bench --mode latency --mix get=1` (one connection, one read at a
    time);
  - --loggers processes, each opening a session on the raw protocol, sending the AP-REQ
    (python3-kerberos) as op 102, reading the answer and closing, again and again.
Prints the bystander's p50/p99/p99.9/max and the logins per second; the binaries alternate,
the order reversed every other round; medians per binary at the end.
"""

import argparse
import base64
import multiprocessing
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import bench_servers  # noqa: E402
from harness import kdc as kdc_harness  # noqa: E402
from harness import zkwire  # noqa: E402

OP_SASL = 102


SASL_PROVIDER = {"authProvider.1": "org.apache.zookeeper.server.auth.SASLAuthenticationProvider"}


class KerberosPaddock(bench_servers.PaddockServer):
    """paddockd with the JAAS file given as the Java server takes it (-D)."""

    def __init__(self, work_dir, paddockd, jaas):
        super().__init__(work_dir, paddockd, extra_cfg=SASL_PROVIDER)
        self.jaas = jaas

    def command(self):
        return [self.paddockd, "-Djava.security.auth.login.config=" + self.jaas, self.cfg_path]


class KerberosZooKeeper(bench_servers.ZooKeeperServer):
    """ZooKeeper 3.8 with the same JAAS file and the KDC's krb5.conf."""

    def __init__(self, work_dir, jaas, krb5_conf):
        super().__init__(work_dir, extra_cfg=SASL_PROVIDER)
        self.jaas = jaas
        self.krb5_conf = krb5_conf

    def command(self):
        cmd = super().command()
        return cmd[:1] + ["-Djava.security.auth.login.config=" + self.jaas,
                          "-Djava.security.krb5.conf=" + self.krb5_conf] + cmd[1:]


def login_loop(port, seconds, interval, counter):
    """One logger: sessions that each send their AP-REQ and close, for `seconds`; one every
    `interval` seconds at most (0: as fast as it can)."""
    import kerberos  # python3-kerberos, as kazoo's GSSAPI uses

    done = 0
    start = time.monotonic()
    end = start + seconds
    while time.monotonic() < end:
        if interval > 0:
            wait = start + done * interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        client = zkwire.WireClient(("127.0.0.1", port))
        try:
            _, ctx = kerberos.authGSSClientInit("zookeeper@localhost")
            kerberos.authGSSClientStep(ctx, "")
            token = base64.b64decode(kerberos.authGSSClientResponse(ctx))  # it gives base64
            reply = client.call(OP_SASL, zkwire.W().buf(token).bytes())
            if reply.err != 0:
                raise RuntimeError("GSSAPI login refused: err %d" % reply.err)
            done += 1
        finally:
            client.sock.close()
    with counter.get_lock():
        counter.value += done


def run_once(paddock, server, seconds, loggers, rate):
    counter = multiprocessing.Value("i", 0)
    interval = loggers / rate if rate > 0 else 0.0
    procs = [multiprocessing.Process(target=login_loop,
                                     args=(server.port, seconds + 1, interval, counter))
             for _ in range(loggers)]
    for p in procs:
        p.start()
    time.sleep(0.5)  # the logins are under way before the measured reads start
    doc = bench_servers.run_json([
        paddock, "bench", "--servers", server.hostport, "--json", "--mode", "latency",
        "--mix", "get=1", "--duration", str(seconds), "--warmup", "0.5"])
    for p in procs:
        p.join()
    return doc, counter.value / (seconds + 1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--paddock", required=True, help="the paddock binary (the bystander)")
    p.add_argument("--paddockd", action="append", required=True, metavar="LABEL=PATH")
    p.add_argument("--zookeeper", action="store_true",
                   help="also Apache ZooKeeper 3.8 (its NIO workers run SASL), same rounds")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--loggers", type=int, default=3)
    p.add_argument("--rate", type=float, default=0,
                   help="logins per second in all, paced (0: as fast as the loggers can); "
                        "servers that log in at different speeds compare at one rate")
    a = p.parse_args()
    # label -> make(work dir, JAAS file, krb5.conf): paddockd reads krb5.conf from KRB5_CONFIG.
    binaries = [(label, lambda work, jaas, _krb5, path=path: KerberosPaddock(work, path, jaas))
                for label, path in bench_servers.labelled_binaries(a.paddockd)]
    if a.zookeeper:
        binaries.append(("ZooKeeper", KerberosZooKeeper))
    paddock = os.path.abspath(a.paddock)
    kdc = kdc_harness.Kdc()
    work = tempfile.mkdtemp(prefix="paddock-sasl-ab-")
    figures = {label: [] for label, _ in binaries}
    try:
        keytab = kdc.keytab("zookeeper/localhost", "server.keytab")
        alice = kdc.keytab("alice", "alice.keytab")
        ccache = os.path.join(kdc.dir, "ccache")
        kdc.run(["kinit", "-k", "-t", alice, "-c", ccache, "alice"])
        os.environ["KRB5_CONFIG"] = kdc.krb5_conf  # paddockd and the loggers
        os.environ["KRB5CCNAME"] = "FILE:" + ccache
        jaas = os.path.join(kdc.dir, "server.jaas")
        with open(jaas, "w") as f:
            f.write('Server {\n  com.sun.security.auth.module.Krb5LoginModule required\n'
                    '  useKeyTab=true keyTab="%s" storeKey=true useTicketCache=false\n'
                    '  principal="zookeeper/localhost@%s";\n};\n' % (keytab, kdc.realm))
        for r in range(a.rounds):
            order = binaries if r % 2 == 0 else binaries[::-1]
            for label, make in order:
                server = make(work, jaas, kdc.krb5_conf)
                server.start()
                try:
                    doc, logins = run_once(paddock, server, a.duration, a.loggers, a.rate)
                finally:
                    server.stop()
                lat = doc["latency_us"]
                row = (lat["p50"], lat["p99"], lat["p999"], lat["max"], logins)
                figures[label].append(row)
                print("round %d %-8s bystander read us: p50 %.0f p99 %.0f p99.9 %.0f max %.0f; "
                      "%.0f GSSAPI logins/s" % ((r + 1, label) + row), flush=True)
        print("\nmedians over %d rounds:" % a.rounds)
        for label, _ in binaries:
            cols = list(zip(*figures[label]))
            print("  %-8s p50 %.0f  p99 %.0f  p99.9 %.0f  max %.0f us; %.0f logins/s" % (
                (label,) + tuple(statistics.median(c) for c in cols)))
    finally:
        bench_servers.stop_all()
        kdc.close()


if __name__ == "__main__":
    main()
