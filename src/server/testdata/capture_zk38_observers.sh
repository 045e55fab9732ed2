#!/usr/bin/env bash
# Captures Apache ZooKeeper 3.8's admin `observers` and `leader` answers in an ensemble
# (src/server/testdata/zk38/admin_{observers,leader}_{leader,follower}.json): two
# participants and one observer on loopback, in a temp dir; the leader is whichever
# participant reports the synced observer.
# Usage: capture_zk38_observers.sh [first_port]   (uses first_port .. first_port+11)
# CAPTURE_OUT=dir writes there instead.
set -euo pipefail
BASE=${1:-44817}
OUT=${CAPTURE_OUT:-$(cd "$(dirname "$0")" && pwd)/zk38}
J=/usr/share/java
CP=$J/zookeeper.jar:$J/zookeeper-jute.jar:$J/slf4j-api.jar:$J/slf4j-simple.jar:$J/netty-all.jar
CP=$CP:$J/metrics-core.jar:$J/snappy-java.jar:$J/servlet-api.jar
for j in jetty9-server jetty9-util jetty9-http jetty9-io jetty9-servlet jetty9-security \
         jetty9-util-ajax jackson-core jackson-databind jackson-annotations; do
  CP=$CP:$J/$j.jar
done
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
# Server N: client BASE+N, quorum BASE+3+N, election BASE+6+N, admin BASE+9+N (N = 0, 1, 2).
for n in 0 1 2; do
  mkdir -p "$TMP/s$n/data"
  echo $((n + 1)) > "$TMP/s$n/data/myid"
  {
    echo "tickTime=500"
    echo "initLimit=10"
    echo "syncLimit=5"
    echo "dataDir=$TMP/s$n/data"
    echo "clientPort=$((BASE + n))"
    echo "4lw.commands.whitelist=*"
    echo "admin.enableServer=true"
    echo "admin.serverAddress=127.0.0.1"
    echo "admin.serverPort=$((BASE + 9 + n))"
    [ $n = 2 ] && echo "peerType=observer"
    echo "server.1=127.0.0.1:$((BASE + 3)):$((BASE + 6))"
    echo "server.2=127.0.0.1:$((BASE + 4)):$((BASE + 7))"
    echo "server.3=127.0.0.1:$((BASE + 5)):$((BASE + 8)):observer"
  } > "$TMP/s$n/zoo.cfg"
  java -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$TMP/s$n/zoo.cfg" \
    > "$TMP/s$n/zk.log" 2>&1 &
  PIDS+=($!)
done
leader=
for _ in $(seq 150); do
  for n in 0 1; do
    if curl -s "http://127.0.0.1:$((BASE + 9 + n))/commands/observers" 2>/dev/null |
        grep -q '"synced_observers" : 1'; then
      leader=$n
    fi
  done
  [ -n "$leader" ] && break
  sleep 0.2
done
[ -n "$leader" ] || { echo "no leader with a synced observer" >&2; exit 1; }
mkdir -p "$OUT"
curl -s "http://127.0.0.1:$((BASE + 9 + leader))/commands/observers" \
  > "$OUT/admin_observers_leader.json"
curl -s "http://127.0.0.1:$((BASE + 9 + 1 - leader))/commands/observers" \
  > "$OUT/admin_observers_follower.json"
curl -s "http://127.0.0.1:$((BASE + 9 + leader))/commands/leader" > "$OUT/admin_leader_leader.json"
curl -s "http://127.0.0.1:$((BASE + 9 + 1 - leader))/commands/leader" \
  > "$OUT/admin_leader_follower.json"
echo "captured into $OUT (leader: server.$((leader + 1)))"
