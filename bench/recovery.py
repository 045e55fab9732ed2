#!/usr/bin/env python3
"""Recovery benchmark: paddockd and Apache ZooKeeper 3.8 restarting from the same tree.

1. Writes a ZooKeeper 3.8 data dir directly (its formats, ZK-FORMATS.md sections 4-5): a
   snapshot of N znodes with 100-byte data (default 1,000,000, under /bench/gXXXX/nXXXXXX;
   data = 8 digits, 40 random hex digits, then '.' padding: about half of it compressible)
   and a log of T txns after it (default 100,000 setData of 100 bytes on random nodes).
2. ZooKeeper: starts on a copy of that dir; time from spawn until `srvr` reports the last
   zxid; peak RSS (VmHWM); the snapshot it writes itself at start-up.
3. Paddock: `paddock import-zk` of the same dir (timed apart), then paddockd on the result;
   time from spawn until `srvr` reports the last zxid; peak RSS; its snapshot size.

Usage: bench/recovery.py [--nodes N] [--txns T] [--runs R] [--json] [--keep DIR]
Needs PADDOCK_BIN (dir with paddockd and paddock; default build/bin) and the Debian
zookeeper jars. Figures go to docs/benchmarks.md ("Recovery").
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JARS = ["zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar",
        "netty-all.jar", "metrics-core.jar", "snappy-java.jar"]
ZK_CP = ":".join("/usr/share/java/" + j for j in JARS)
ZK_HEAP = "-Xmx6g"
T0 = 1_700_000_000_000  # ctime/mtime base (ms)


# --- writing ZooKeeper's formats ---------------------------------------------------------

def jstr(b):
    return struct.pack(">i", len(b)) + b


STAT = struct.Struct(">qqqqiiiqq")  # StatPersisted
WORLD_ALL, WORLD_READ = 1, 2  # ACL cache ids


def node_record(path, data, acl, czxid, mzxid, version, cversion, pzxid, time_ms):
    return (jstr(path) + jstr(data) + struct.pack(">q", acl)
            + STAT.pack(czxid, mzxid, time_ms, time_ms, version, cversion, 0, 0, pzxid))


def write_zk_snapshot(path, groups, per_group, rng):
    """Returns (snapshot zxid, [node paths], {path: version})."""
    out = bytearray()
    out += struct.pack(">iiq", 0x5A4B534E, 2, -1)  # header
    out += struct.pack(">i", 0)  # sessions
    out += struct.pack(">i", 2)  # ACL cache
    out += struct.pack(">q", WORLD_ALL) + struct.pack(">i", 1) + struct.pack(">i", 31)
    out += jstr(b"world") + jstr(b"anyone")
    out += struct.pack(">q", WORLD_READ) + struct.pack(">i", 1) + struct.pack(">i", 1)
    out += jstr(b"world") + jstr(b"anyone")
    total = 1 + groups * (1 + per_group)
    out += node_record(b"", b"", -1, 0, 0, 0, 1, total, 0)
    out += node_record(b"/zookeeper", b"", -1, 0, 0, 0, 0, 0, 0)
    out += node_record(b"/zookeeper/config", b"", WORLD_READ, 0, 0, 0, 0, 0, 0)
    out[-STAT.size + 40:-STAT.size + 44] = struct.pack(">i", -1)  # aversion -1
    out += node_record(b"/zookeeper/quota", b"", -1, 0, 0, 0, 0, 0, 0)
    zxid = 1
    out += node_record(b"/bench", b"", WORLD_ALL, zxid, zxid, 0, groups, total, T0)
    leaves = []
    for g in range(groups):
        zxid += 1
        gpath = b"/bench/g%04d" % g
        last_child = zxid + per_group
        out += node_record(gpath, b"", WORLD_ALL, zxid, zxid, 0, per_group, last_child, T0 + zxid)
        for n in range(per_group):
            zxid += 1
            p = gpath + b"/n%06d" % (g * per_group + n)
            data = (b"%07d:%040x" % (g * per_group + n, rng.getrandbits(160))).ljust(100, b".")
            out += node_record(p, data, WORLD_ALL, zxid, zxid, 0, 0, zxid, T0 + zxid)
            leaves.append(p)
    out += jstr(b"/")
    out += struct.pack(">q", zlib.adler32(bytes(out)) & 0xFFFFFFFF) + jstr(b"/")
    with open(path, "wb") as f:
        f.write(out)
    return zxid, leaves


def write_zk_log(path, first_zxid, txns, leaves, rng):
    """setData txns on random leaves; returns the last zxid."""
    out = bytearray(struct.pack(">iiq", 0x5A4B4C47, 2, 0))
    versions = {}
    zxid = first_zxid - 1
    for i in range(txns):
        zxid += 1
        p = leaves[rng.randrange(len(leaves))]
        v = versions.get(p, 0) + 1
        versions[p] = v
        data = (b"%08d" % i) * 12 + b"setd"
        txn = (struct.pack(">qiqqi", 0, i, zxid, T0 + zxid, 5)
               + jstr(p) + jstr(data) + struct.pack(">i", v))
        out += struct.pack(">qi", zlib.adler32(txn) & 0xFFFFFFFF, len(txn)) + txn + b"B"
    out += b"\0" * 16
    with open(path, "wb") as f:
        f.write(out)
    return zxid


# --- running servers -----------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def srvr(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"srvr")
            chunks = []
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
            return b"".join(chunks).decode(errors="replace")
    except OSError:
        return ""


def zoo_cfg(path, data_dir, port, snap_count=100000000):
    with open(path, "w") as f:
        f.write("tickTime=2000\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\n"
                "admin.enableServer=false\n4lw.commands.whitelist=*\n"
                "snapCount=%d\n" % (data_dir, port, snap_count))


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def time_to_serve(cmd, port, last_zxid, log_path, timeout=900):
    """Spawns, waits until srvr shows last_zxid; returns (seconds, peak RSS MiB)."""
    with open(log_path, "ab") as log:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    want = "Zxid: 0x%x" % last_zxid
    try:
        while time.monotonic() - t0 < timeout:
            if proc.poll() is not None:
                raise RuntimeError("%s exited with %s; see %s" % (cmd[0], proc.returncode, log_path))
            if want in srvr(port):
                elapsed = time.monotonic() - t0
                return elapsed, peak_rss_mib(proc.pid)
            time.sleep(0.02)
        raise RuntimeError("%s did not serve zxid 0x%x in %ds" % (cmd[0], last_zxid, timeout))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def du(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def run_zookeeper(src, work, last_zxid):
    data = os.path.join(work, "zk-data")
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(src, data)
    port = free_port()
    cfg = os.path.join(work, "zk.cfg")
    zoo_cfg(cfg, data, port)
    cmd = ["java", ZK_HEAP, "-Dzookeeper.admin.enableServer=false",
           "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
           "-cp", ZK_CP, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg]
    secs, rss = time_to_serve(cmd, port, last_zxid, os.path.join(work, "zk.log"))
    snaps = sorted((os.path.getsize(os.path.join(data, "version-2", f)), f)
                   for f in os.listdir(os.path.join(data, "version-2")) if f.startswith("snapshot."))
    return secs, rss, snaps


def run_paddock(src, work, last_zxid, bin_dir):
    dest = os.path.join(work, "paddock-data")
    shutil.rmtree(dest, ignore_errors=True)
    t0 = time.monotonic()
    subprocess.run([os.path.join(bin_dir, "paddock"), "import-zk", src, dest], check=True,
                   stdout=subprocess.DEVNULL)
    import_secs = time.monotonic() - t0
    port = free_port()
    cfg = os.path.join(work, "paddock.cfg")
    zoo_cfg(cfg, dest, port)
    secs, rss = time_to_serve([os.path.join(bin_dir, "paddockd"), cfg], port, last_zxid,
                              os.path.join(work, "paddock.log"))
    snap = os.path.join(dest, "paddock-snap")
    return secs, rss, import_secs, du(snap), du(os.path.join(dest, "paddock-log"))


def snapshot_under_load(work, bin_dir):
    """paddockd on the recovered tree with snapCount=2: a few writes start a snapshot of the
    whole tree; a client reads in a loop meanwhile. Returns the snapshotter's own figures
    (longest piece on the pipeline thread, all pieces, duration) and the read latencies the
    client saw while the snapshot was being taken."""
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from harness import zkwire as z
    import threading
    dest = os.path.join(work, "paddock-data")
    port = free_port()
    cfg = os.path.join(work, "paddock-snap.cfg")
    zoo_cfg(cfg, dest, port, snap_count=2)
    log_path = os.path.join(work, "paddock-snap.log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([os.path.join(bin_dir, "paddockd"), cfg], stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while "Zxid:" not in srvr(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("paddockd did not start; see %s" % log_path)
            time.sleep(0.05)
        lat, stop = [], threading.Event()

        def reader():
            r = z.WireClient(("127.0.0.1", port))
            while not stop.is_set():
                t = time.monotonic()
                r.get_data("/bench/g0000/n000000")
                lat.append((t, time.monotonic() - t))
            r.close()
        th = threading.Thread(target=reader)
        th.start()
        time.sleep(1.0)
        w = z.WireClient(("127.0.0.1", port))
        t_start = time.monotonic()
        for i in range(3):
            w.create("/snapshot-trigger-%d" % i)
        line = ""
        while not line and time.monotonic() < deadline:
            with open(log_path) as f:
                line = next((l for l in f if "event=snapshot_written" in l), "")
            time.sleep(0.05)
        t_end = time.monotonic()
        time.sleep(0.5)
        stop.set()
        th.join()
        w.close()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    during = sorted(l for t, l in lat if t_start <= t <= t_end)
    before = sorted(l for t, l in lat if t < t_start)
    pct = lambda xs, q: xs[min(len(xs) - 1, int(len(xs) * q))] * 1000 if xs else 0.0
    return {"max_piece_ms": int(fields.get("max_pause_us", 0)) / 1000.0,
            "all_pieces_ms": int(fields.get("total_pause_us", 0)) / 1000.0,
            "pieces": int(fields.get("chunks", 0)),
            "snapshot_ms": int(fields.get("duration_ms", 0)),
            "snapshot_bytes": int(fields.get("bytes", 0)),
            "reads_during": len(during),
            "read_p50_ms_before": pct(before, 0.5),
            "read_p99_ms_during": pct(during, 0.99),
            "read_max_ms_during": pct(during, 1.0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nodes", type=int, default=1_000_000)
    ap.add_argument("--txns", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--keep", help="work dir to keep (default: a temp dir, removed)")
    args = ap.parse_args()
    bin_dir = os.environ.get("PADDOCK_BIN", os.path.join(ROOT, "build", "bin"))
    work = args.keep or tempfile.mkdtemp(prefix="paddock-recovery-bench-")
    os.makedirs(work, exist_ok=True)
    rng = random.Random(42)
    per_group = 1000 if args.nodes >= 1000 else args.nodes
    groups = max(1, args.nodes // per_group)
    src = os.path.join(work, "zk-source")
    v2 = os.path.join(src, "version-2")
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(v2)
    t = time.monotonic()
    snap_zxid, leaves = write_zk_snapshot(os.path.join(v2, "snapshot.%x" % 0), groups, per_group, rng)
    os.rename(os.path.join(v2, "snapshot.0"), os.path.join(v2, "snapshot.%x" % snap_zxid))
    last = write_zk_log(os.path.join(v2, "log.%x" % (snap_zxid + 1)), snap_zxid + 1, args.txns,
                        leaves, rng)
    print("generated %d znodes + %d txns in %.1fs (zxid 0x%x..0x%x)"
          % (len(leaves) + groups + 5, args.txns, time.monotonic() - t, snap_zxid, last),
          file=sys.stderr)
    results = {"nodes": len(leaves) + groups + 5, "txns": args.txns, "zookeeper": [],
               "paddock": [],
               "zk_source_snapshot_bytes": os.path.getsize(os.path.join(v2, "snapshot.%x" % snap_zxid)),
               "zk_source_log_bytes": os.path.getsize(os.path.join(v2, "log.%x" % (snap_zxid + 1)))}
    try:
        for r in range(args.runs):  # interleaved, so drift hits both alike
            zs, zr, zsnaps = run_zookeeper(src, work, last)
            results["zookeeper"].append({"seconds": zs, "peak_rss_mib": zr, "snapshots": zsnaps})
            ps, pr, imp, psnap, plog = run_paddock(src, work, last, bin_dir)
            results["paddock"].append({"seconds": ps, "peak_rss_mib": pr, "import_seconds": imp,
                                       "snapshot_bytes": psnap, "log_bytes": plog})
            print("run %d: zookeeper %.2fs %.0f MiB | paddockd %.2fs %.0f MiB (import %.1fs)"
                  % (r + 1, zs, zr, ps, pr, imp), file=sys.stderr)
        results["snapshot_under_load"] = snapshot_under_load(work, bin_dir)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    med = lambda xs: sorted(xs)[len(xs) // 2]
    z, p = results["zookeeper"], results["paddock"]
    zk_own_snap = max(s for s, _ in z[-1]["snapshots"])
    summary = {
        "zookeeper_seconds": med([x["seconds"] for x in z]),
        "zookeeper_peak_rss_mib": med([x["peak_rss_mib"] for x in z]),
        "paddock_seconds": med([x["seconds"] for x in p]),
        "paddock_peak_rss_mib": med([x["peak_rss_mib"] for x in p]),
        "zookeeper_snapshot_bytes": zk_own_snap,
        "paddock_snapshot_bytes": p[-1]["snapshot_bytes"],
        "paddock_import_seconds": med([x["import_seconds"] for x in p]),
    }
    results["median"] = summary
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print("| | Apache ZooKeeper 3.8 | paddockd |\n|---|---|---|")
        print("| time to serve (spawn -> srvr at the last zxid), median of %d | %.2f s | %.2f s |"
              % (args.runs, summary["zookeeper_seconds"], summary["paddock_seconds"]))
        print("| peak RSS (VmHWM) | %.0f MiB | %.0f MiB |"
              % (summary["zookeeper_peak_rss_mib"], summary["paddock_peak_rss_mib"]))
        print("| snapshot on disk | %.1f MiB | %.1f MiB |"
              % (summary["zookeeper_snapshot_bytes"] / 2**20,
                 summary["paddock_snapshot_bytes"] / 2**20))
        print("paddock import-zk of the same dir: %.1f s" % summary["paddock_import_seconds"])
        s = results["snapshot_under_load"]
        print("paddockd snapshot of the whole tree while serving: %d pieces, longest %.1f ms, "
              "all together %.0f ms, %.1f s to the rename, %.1f MiB; reads meanwhile: %d, "
              "p99 %.2f ms, max %.1f ms (p50 before: %.2f ms)"
              % (s["pieces"], s["max_piece_ms"], s["all_pieces_ms"], s["snapshot_ms"] / 1000.0,
                 s["snapshot_bytes"] / 2**20, s["reads_during"], s["read_p99_ms_during"],
                 s["read_max_ms_during"], s["read_p50_ms_before"]))


if __name__ == "__main__":
    main()
