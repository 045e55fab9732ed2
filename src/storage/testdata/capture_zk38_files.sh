#!/usr/bin/env bash
# Captures Apache ZooKeeper 3.8 data files as fixtures for zk_files_test.cc
# (src/storage/testdata/zk38/): runs a standalone ZooKeeper in a temp dir, writes a small
# tree with kazoo (ACLs, null data, sequential and ephemeral nodes), restarts it so
# that it writes a snapshot of that tree, writes a few more txns, stops it, and copies the
# newest snapshot and log (the log without its preallocated zeros).
# Usage: capture_zk38_files.sh [client_port]
set -euo pipefail
PORT=${1:-$((20000 + RANDOM % 40000))}
OUT=$(cd "$(dirname "$0")" && pwd)/zk38
J=/usr/share/java
CP=$J/zookeeper.jar:$J/zookeeper-jute.jar:$J/slf4j-api.jar:$J/slf4j-simple.jar:$J/netty-all.jar
CP=$CP:$J/metrics-core.jar:$J/snappy-java.jar
TMP=$(mktemp -d)
cat > "$TMP/zoo.cfg" <<CFG
tickTime=2000
dataDir=$TMP/data
clientPort=$PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
CFG
ZK=
start_zk() {
  java -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$TMP/zoo.cfg" >> "$TMP/zk.log" 2>&1 &
  ZK=$!
  for _ in $(seq 100); do
    if /usr/bin/python3 -c "import socket,sys; s=socket.create_connection(('127.0.0.1',$PORT),1); s.sendall(b'ruok'); sys.exit(s.recv(4)!=b'imok')" 2>/dev/null; then return; fi
    sleep 0.2
  done
  echo "ZooKeeper did not start"; cat "$TMP/zk.log"; exit 1
}
stop_zk() { kill "$ZK"; wait "$ZK" || true; }
trap 'kill $ZK 2>/dev/null || true; rm -rf "$TMP"' EXIT

start_zk
/usr/bin/python3 - "$PORT" <<'PY'
import sys
from kazoo.client import KazooClient
from kazoo.security import make_digest_acl, make_acl
zk = KazooClient(hosts="127.0.0.1:%s" % sys.argv[1]); zk.start()
zk.create("/a", b"hello")
zk.create("/a/b", b"")
zk.create("/digest", b"secret", acl=[make_digest_acl("u", "p", all=True),
                                    make_acl("world", "anyone", read=True)])
seq = [zk.create("/seq-", b"s%d" % i, sequence=True) for i in range(3)]
zk.set("/a", b"hello again")
zk.delete(seq[1])
zk.create("/nulldata", None)  # kazoo sends a null buffer for None
zk.create("/p/q/r", b"deep", makepath=True)
zk.create("/eph", b"e", ephemeral=True)
# the session stays open: ZooKeeper is stopped under it
PY
stop_zk
start_zk   # loads the tree and writes a snapshot of it
/usr/bin/python3 - "$PORT" <<'PY'
import sys
from kazoo.client import KazooClient
zk = KazooClient(hosts="127.0.0.1:%s" % sys.argv[1]); zk.start()
zk.create("/after", b"1")
zk.set("/after", b"2")
zk.stop()
PY
stop_zk
mkdir -p "$OUT"
rm -f "$OUT"/snapshot.* "$OUT"/log.*
SNAP=$(ls "$TMP/data/version-2"/snapshot.* | sort -t. -k2 | tail -1)
LOG=$(ls -v "$TMP/data/version-2"/log.* | tail -1)
cp "$SNAP" "$OUT/"
/usr/bin/python3 - "$LOG" "$OUT/$(basename "$LOG")" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
end = len(data.rstrip(b"\0"))
open(sys.argv[2], "wb").write(data[:end + 16])
PY
ls -l "$OUT"
