"""Differential test: the same seeded random ops against Apache ZooKeeper 3.8 (the
reference) and the target (paddockd; or a second ZooKeeper with
PADDOCK_TEST_TARGET=zookeeper, which must show no difference). Replies, error codes, data,
children, Stats (zxids and times by order/equality only), ACLs and each client's watch
events in order must match; at the end of each seed the whole subtree must match too.

One ZooKeeper and one target process serve every seed; each seed works under its own base
node with fresh sessions. Seeds 1..20 by default; PADDOCK_DIFF_SEEDS=N runs seeds 1..N,
PADDOCK_DIFF_SEED=S only seed S, PADDOCK_DIFF_OPS=K sets the ops per seed (default 80), PADDOCK_DIFF_VERBOSE=1 prints every
transcript.
A divergence prints the seed's transcript up to the first differing op.

PADDOCK_DIFF_ENSEMBLE=1 (and test_differential_ensemble.py, which always does so): the
target is a 3-member ensemble of the target kind (tickTime 2000 like the standalone
reference, so session timeouts clamp alike), raw client i connects to member i+1 and the
kazoo client to member 2; the reference stays one standalone ZooKeeper. The only change to
the comparison: after each op every target client syncs through its own member before the
flush ping (runner.Side sync_on_flush), so each member has applied the op before the next op
reads there, as a single server would have; those sync replies are not compared.
One normalisation: ZooKeeper 3.8 answers checkWatches with OK when *any* session on the
serving server holds such a watch on the path, not only the caller (Paddock does the same).
With the clients spread over members, a watch held by a client on another member is not seen,
so when the reference answers OK the ensemble may answer NOWATCHER (see placement_normalize);
a reference NOWATCHER must still be NOWATCHER on the target.
"""

import os
import sys
import unittest

from harness import servers, zkwire as z
from harness.ensemble import Ensemble
from differential.opgen import OpGenerator
from differential.runner import Divergence, OrderIso, Side, compare, render

N_CLIENTS = 3
PROPS = {"zookeeper.extendedTypesEnabled": "true",
         # keep container/TTL reaping out of the comparison: it runs on a timer
         "znode.container.checkIntervalMs": str(3600 * 1000)}


def seeds(default=20):
    if os.environ.get("PADDOCK_DIFF_SEED"):
        return [int(os.environ["PADDOCK_DIFF_SEED"])]
    return list(range(1, int(os.environ.get("PADDOCK_DIFF_SEEDS", str(default))) + 1))


def ensemble_mode():
    return os.environ.get("PADDOCK_DIFF_ENSEMBLE", "").strip() not in ("", "0")


def run_seed(seed, ref_addr, tgt_addr, n_ops, tgt_base=None, tgt_mutate=None,
             ref_base=None):
    """Runs one seed; returns None, or a transcript (str) ending at the first divergence.

    tgt_addr: one address, or a list of N_CLIENTS + 1 (one per client slot, the kazoo
    client last) for an ensemble, whose clients then sync before each flush.
    The bases and tgt_mutate are for the self-test (fresh names per run, faked bugs)."""
    base = ref_base or "/diff-%d" % seed
    gen = OpGenerator(seed, base, N_CLIENTS)
    iso = OrderIso()
    lines = ["seed %d, base %s, raw clients c0..c%d and kazoo client c%d; results as on the "
             "reference (ZooKeeper)" % (seed, base, N_CLIENTS - 1, N_CLIENTS)]
    ref = tgt = None
    try:
        ref = Side("reference", ref_addr, base, N_CLIENTS)
        tgt = Side("target", tgt_addr, tgt_base or base, N_CLIENTS, tgt_mutate,
                   sync_on_flush=isinstance(tgt_addr, list))
        for side in (ref, tgt):
            err, _ = side.clients[0].create(side.base)
            if err:
                return "seed %d: cannot create %s: %d" % (seed, side.base, err)
        for step in range(n_ops):
            op = gen.next()
            ra, ta = ref.run(op)
            rb, tb = tgt.run(op)
            if isinstance(tgt_addr, list):
                rb, tb = placement_normalize(op, ra, rb, tb)
            try:
                compare(ra, rb, iso, "reply")
                for i in range(N_CLIENTS + 1):
                    compare(ta[i], tb[i], iso, "%s frames" % _name(i))
            except Divergence as d:
                lines.append("%3d  %r" % (step, op))
                lines.append("     DIVERGES: %s" % d)
                lines.append("     reference: %s" % render(ra, iso))
                lines.append("     target:    %s" % render(rb, iso))
                lines.append("     reference frames: %s" % _frames(ta, iso))
                lines.append("     target frames:    %s" % _frames(tb, iso))
                return "\n".join(lines)
            lines.append("%3d  %r -> %s%s" % (step, op, render(ra, iso), _frames(ta, iso, op)))
            _learn(gen, op, ra)
        try:
            compare(ref.dump(), tgt.dump(), iso, "final tree")
        except Divergence as d:
            lines.append("END  final subtree differs: %s" % d)
            lines.append("     reference: %s" % render(ref.dump(), iso))
            lines.append("     target:    %s" % render(tgt.dump(), iso))
            return "\n".join(lines)
        if os.environ.get("PADDOCK_DIFF_VERBOSE"):
            print("\n".join(lines), file=sys.stderr)
        return None
    finally:
        for side in (ref, tgt):
            if side is not None:
                side.close()


def placement_normalize(op, ra, rb, tb):
    """For a target whose clients are spread over ensemble members: ZooKeeper's checkWatches
    says OK if any session on the serving server watches the path that way. The reference
    serves every client; a member serves only some, so a reference OK may be a target
    NOWATCHER (the watcher is on another member). Then the target's answer, and the reply
    frame in the acting client's trace, are taken as the reference's. Everything else is
    left as it is (a reference NOWATCHER must be NOWATCHER on the target too)."""
    if op.name == "checkWatches" and ra[:1] == (0,) and rb[:1] == (z.NOWATCHER,):
        tb = list(tb)
        tb[op.client] = [("reply", 0) if f == ("reply", z.NOWATCHER) else f
                         for f in tb[op.client]]
        return ra, tb
    return rb, tb


def _learn(gen, op, result):
    if result[0] != 0:
        return
    if op.name in ("create", "create2") and len(result) > 2:
        gen.learn(result[2])
    elif op.name == "kcreate":
        gen.learn(result[1])
    elif op.name == "multi":
        for t, err, res in result[2]:
            if t == z.OP["create"]:
                gen.learn(res)


def _name(i):
    return "c%d" % i if i < N_CLIENTS else "c%d(kazoo)" % i


def _frames(traces, iso, op=None):
    parts = []
    for i, t in enumerate(traces):
        # the acting client's bare reply is implied; show it only next to events
        if op is not None and i == op.client and all(f[0] == "reply" for f in t):
            continue
        if t:
            parts.append("%s:%s" % (_name(i), render(t, iso)))
    return ("  | " + " ".join(parts)) if parts else ""


class Differential(unittest.TestCase):
    ensemble = ensemble_mode()  # the target is a 3-member ensemble
    default_seeds = 20

    @classmethod
    def setUpClass(cls):
        cls.ref = servers.make_server(props=PROPS, kind="zookeeper")
        cls.tgt = cls.ens = None
        try:
            if cls.ensemble:
                cls.ens = Ensemble(3, props=PROPS, tick_ms=2000)
                sids = cls.ens.sids
                # raw client i on member i+1, the kazoo client on member 2
                cls.tgt_addr = [cls.ens.member(sids[i % len(sids)]).address
                                for i in range(N_CLIENTS)] + [cls.ens.member(sids[1]).address]
                print("target: 3-member ensemble, modes %s, clients on members %s"
                      % (cls.ens.modes(), [sids[i % len(sids)] for i in range(N_CLIENTS)]
                         + [sids[1]]), file=sys.stderr)
            else:
                cls.tgt = servers.make_server(props=PROPS)
                cls.tgt_addr = cls.tgt.address
        except BaseException:
            cls.ref.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.ref.close()
        if cls.tgt is not None:
            cls.tgt.close()
        if cls.ens is not None:
            cls.ens.close()

    def test_seeds(self):
        n_ops = int(os.environ.get("PADDOCK_DIFF_OPS", "80"))
        failed = []
        for seed in seeds(self.default_seeds):
            transcript = run_seed(seed, self.ref.address, self.tgt_addr, n_ops)
            if transcript:
                failed.append(seed)
                print("\n" + transcript + "\n", file=sys.stderr)
                if len(failed) >= 3:
                    break
        self.assertEqual(failed, [], "diverging seeds (transcripts above; rerun one with "
                                     "PADDOCK_DIFF_SEED=S)")


if __name__ == "__main__":
    print("target server: %s (reference: zookeeper)" % servers.target(), file=sys.stderr)
    unittest.main(verbosity=2)
