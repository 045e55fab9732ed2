#!/usr/bin/env bash
# Captures Apache ZooKeeper 3.8's four-letter-word and AdminServer answers as test fixtures
# (src/server/testdata/zk38/). Starts a standalone ZooKeeper on the given loopback ports in a
# temp dir, connects two kazoo clients (watches, an ephemeral), captures, stops ZooKeeper.
# Usage: capture_zk38.sh [client_port] [admin_port]
# CAPTURE_OUT=dir writes there instead (to refresh only some of the fixtures).
set -euo pipefail
PORT=${1:-43817}
ADMIN=${2:-43818}
OUT=${CAPTURE_OUT:-$(cd "$(dirname "$0")" && pwd)/zk38}
J=/usr/share/java
CP=$J/zookeeper.jar:$J/zookeeper-jute.jar:$J/slf4j-api.jar:$J/slf4j-simple.jar:$J/netty-all.jar
CP=$CP:$J/metrics-core.jar:$J/snappy-java.jar:$J/servlet-api.jar
for j in jetty9-server jetty9-util jetty9-http jetty9-io jetty9-servlet jetty9-security \
         jetty9-util-ajax jackson-core jackson-databind jackson-annotations; do
  CP=$CP:$J/$j.jar
done
TMP=$(mktemp -d)
cat > "$TMP/zoo.cfg" <<CFG
tickTime=2000
dataDir=$TMP/data
clientPort=$PORT
maxClientCnxns=10
4lw.commands.whitelist=*
admin.enableServer=true
admin.serverAddress=127.0.0.1
admin.serverPort=$ADMIN
CFG
java -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$TMP/zoo.cfg" > "$TMP/zk.log" 2>&1 &
ZK=$!
CLIENT=
cleanup() {
  [ -n "$CLIENT" ] && kill "$CLIENT" 2>/dev/null || true
  kill "$ZK" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break
  sleep 0.2
done
/usr/bin/python3 - "$PORT" > "$TMP/client.out" 2>&1 <<'PY' &
import sys, time
from kazoo.client import KazooClient
port = sys.argv[1]
a = KazooClient(hosts='127.0.0.1:' + port); a.start()
a.ensure_path('/app/a'); a.create('/app/eph', b'x', ephemeral=True)
a.get('/app/a', watch=lambda e: None); a.get_children('/app', watch=lambda e: None)
a.exists('/app/none', watch=lambda e: None)
b = KazooClient(hosts='127.0.0.1:' + port); b.start(); b.get('/app/a', watch=lambda e: None)
print('ready', flush=True)
time.sleep(30)
PY
CLIENT=$!
for _ in $(seq 100); do grep -q ready "$TMP/client.out" 2>/dev/null && break; sleep 0.2; done
mkdir -p "$OUT"
for c in srvr stat cons conf envi mntr wchs wchc wchp dump dirs isro ruok gtmk hash crst srst; do
  exec 3<>/dev/tcp/127.0.0.1/$PORT
  printf '%s' "$c" >&3
  timeout 5 cat <&3 > "$OUT/$c.txt" || true
  exec 3<&-
done
for c in "" ruok server_stats stats monitor configuration connections watch_summary watches \
         watches_by_path dump environment dirs is_read_only stat_reset connection_stat_reset \
         voting_view zabstate observer_connection_stat_reset \
         initial_configuration last_snapshot observers system_properties leader get_trace_mask \
         hash nosuch; do
  name=${c:-commands}
  curl -s "http://127.0.0.1:$ADMIN/commands${c:+/$c}" > "$OUT/admin_$name.json" || true
done
# set_trace_mask without, with a bad and with a good traceMask; then the mask as gtmk and
# get_trace_mask see it (ZooKeeper keeps one process-wide mask).
curl -s "http://127.0.0.1:$ADMIN/commands/set_trace_mask" > "$OUT/admin_set_trace_mask_no_argument.json"
curl -s "http://127.0.0.1:$ADMIN/commands/set_trace_mask?traceMask=x1" \
  > "$OUT/admin_set_trace_mask_bad_argument.json"
curl -s "http://127.0.0.1:$ADMIN/commands/stmk?traceMask=1234" > "$OUT/admin_set_trace_mask.json"
curl -s "http://127.0.0.1:$ADMIN/commands/get_trace_mask" > "$OUT/admin_get_trace_mask_after_set.json"
exec 3<>/dev/tcp/127.0.0.1/$PORT
printf 'gtmk' >&3
timeout 5 cat <&3 > "$OUT/gtmk_after_set.txt" || true
exec 3<&-
echo "captured into $OUT"
