"""The disk's raw fsync time, as the servers see it: small writes, each followed by
fdatasync, into a preallocated file (both servers preallocate their logs) on the filesystem
given. Python's overhead per write is a few microseconds, small next to a flush.

Measured twice: `idle` (this process alone, as a plain loop) and `busy` (with a spinning
child process keeping the CPUs out of idle). On this VM a vCPU that goes idle while a flush
is in flight is woken only at the next host tick, so the idle figure is about 4 ms while the
device itself answers in about 0.1-0.2 ms; a busy server (or one with a thread awake) sees
the latter. The busy figure is the disk's fsync time the latency target refers to."""

import os
import statistics
import subprocess
import sys
import tempfile
import time

PREALLOC = 16 << 20
RECORD = 160  # about one setData txn record of 100 bytes of data


def probe_both(directory, count=2000):
    idle = probe(directory, count)
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)
        busy = probe(directory, count)
    finally:
        spinner.kill()
        spinner.wait()
    return {"idle": idle, "busy": busy}


def probe(directory, count=2000):
    fd, path = tempfile.mkstemp(prefix="fsync-probe-", dir=directory)
    try:
        os.posix_fallocate(fd, 0, PREALLOC)
        os.write(fd, b"\0" * PREALLOC)  # allocate real blocks, as a written log has
        os.fsync(fd)
        record = b"r" * RECORD
        times = []
        for i in range(count):
            start = time.perf_counter_ns()
            os.pwrite(fd, record, (i * RECORD) % (PREALLOC - RECORD))
            os.fdatasync(fd)
            times.append(time.perf_counter_ns() - start)
        times.sort()
        pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] / 1e3
        return {"count": count, "p50_us": pick(0.5), "p90_us": pick(0.9), "p99_us": pick(0.99),
                "mean_us": statistics.fmean(times) / 1e3, "max_us": times[-1] / 1e3}
    finally:
        os.close(fd)
        os.unlink(path)


if __name__ == "__main__":
    import json
    print(json.dumps(probe_both(sys.argv[1] if len(sys.argv) > 1 else ".")))
