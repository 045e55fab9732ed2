"""The differential test (test_differential.py) with a 3-member ensemble as the target:
the same seeded random ops against one standalone Apache ZooKeeper 3.8 (the reference) and
an ensemble of the target kind (paddockd; three ZooKeepers with PADDOCK_TEST_TARGET=
zookeeper, which must show no difference), each raw client connected to a different member
and the kazoo client to member 2. Replies, Stats, ACLs, watch events and the final subtree
must match as in the standalone test; every target client syncs through its own member
after each op (see test_differential.py). Seeds 1..20 by default (PADDOCK_DIFF_SEEDS,
PADDOCK_DIFF_SEED, PADDOCK_DIFF_OPS, PADDOCK_DIFF_VERBOSE as there).
"""

import sys
import unittest

from harness import servers
from differential import test_differential as td


class DifferentialEnsemble(td.Differential):
    ensemble = True
    default_seeds = 20


if __name__ == "__main__":
    print("target: a 3-member %s ensemble (reference: standalone zookeeper)"
          % servers.target(), file=sys.stderr)
    unittest.main(verbosity=2)
