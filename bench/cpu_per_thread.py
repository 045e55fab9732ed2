"""CPU per write on each member of a 3-server Paddock ensemble, by thread.

  PADDOCK_BIN=build-release/bin python3 bench/cpu_per_thread.py [follower|leader]
  PERF=leader|follower ... also records that member with perf (perf.<member>.data here)

Starts an ensemble (bench_servers.Ensemble), runs `paddock bench` setData 100 B, 8x32, for
10 s (2 s warm-up) through a follower or the leader, and prints each member's CPU and, per
thread name, its context switches and CPU microseconds per write (from /proc/<pid>/task).
"""
import json, os, re, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_servers
BIN = os.path.abspath(os.environ.get("PADDOCK_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build-release", "bin")))
where = sys.argv[1] if len(sys.argv) > 1 else "follower"
perf = os.environ.get("PERF")  # "leader" or "follower": perf record that member

def switches(pid):
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            comm = open("/proc/%d/task/%s/comm" % (pid, tid)).read().strip()
            st = open("/proc/%d/task/%s/status" % (pid, tid)).read()
        except OSError:
            continue
        v = int(re.search(r"voluntary_ctxt_switches:\s+(\d+)", st).group(1))
        n = int(re.search(r"nonvoluntary_ctxt_switches:\s+(\d+)", st).group(1))
        parts = open("/proc/%d/task/%s/stat" % (pid, tid)).read().rsplit(")", 1)[1].split()
        c = (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
        out[tid] = (comm, v + n, c)
    return out

def cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

e = bench_servers.Ensemble("paddock", None, paddockd=os.path.join(BIN, "paddockd"))
e.start()
try:
    leader = e.leader(); fol = e.followers()
    target = leader if where == "leader" else fol[0]
    roles = {leader: "leader", fol[0]: "follower(target)" if where != "leader" else "follower", fol[1]: "follower"}
    pids = {sid: e.member(sid).pid for sid in e.sids}
    argv = [os.path.join(BIN, "paddock"), "bench", "--servers", e.hostport(target), "--json",
            "--connections", "8", "--window", "32", "--payload", "100", "--mix", "set=100",
            "--duration", "8", "--warmup", "2"]
    before = {s: cpu(p) for s, p in pids.items()}
    sw_before = {s: switches(p) for s, p in pids.items()}
    pp = None
    if perf:
        psid = leader if perf == "leader" else fol[0]
        time.sleep(0)
        pp = subprocess.Popen(["perf", "record", "-g", "-F", "999", "-o", "perf.%s.data" % perf,
                               "-p", str(pids[psid]), "--", "sleep", "9"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    after = {s: cpu(p) for s, p in pids.items()}
    sw_after = {s: switches(p) for s, p in pids.items()}
    if pp: pp.wait()
    r = json.loads(out)
    ops = r["throughput"] * 8  # measured seconds
    total_ops = r.get("ops", ops)
    print("throughput %.0f/s p50 %.2f ms p99 %.2f ms" % (r["throughput"], r["latency_us"]["p50"]/1000, r["latency_us"]["p99"]/1000))
    for s in e.sids:
        d = after[s] - before[s]
        print("  s%d %-17s cpu %.2f s  (%.1f us per op over 10 s of load)" % (s, roles[s], d, d * 1e6 / (r["throughput"] * 10)))
        by = {}
        cp = {}
        for tid, (comm, n, c) in sw_after[s].items():
            b = sw_before[s].get(tid, (comm, 0, 0))
            by[comm] = by.get(comm, 0) + n - b[1]
            cp[comm] = cp.get(comm, 0) + c - b[2]
        n_ops = r["throughput"] * 10
        print("      switches per op: " + ", ".join("%s %.2f" % (c, v / n_ops) for c, v in sorted(by.items(), key=lambda x: -x[1]) if v / n_ops > 0.01))
        print("      cpu us per op:   " + ", ".join("%s %.1f" % (c, v * 1e6 / n_ops) for c, v in sorted(cp.items(), key=lambda x: -x[1]) if v > 0.05))
finally:
    e.stop()
