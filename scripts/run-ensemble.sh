#!/usr/bin/env bash
# Runs a local 3-server Paddock ensemble in the foreground (what `make run-ensemble` does).
#
#   server.N: client port 218N, quorum port 288(7+N), election port 388(7+N), on 127.0.0.1
#   config and data: ./data/ensemble/sN/zoo.cfg and ./data/ensemble/sN/data (with myid)
#   logs: on this terminal, each line prefixed with [sN]
#
# Ctrl-C (or SIGTERM) stops all three. A member that exits by itself is reported and the
# others keep running (kill -9 one to watch a fail-over). Existing data is kept between runs.
# Connect with:  /usr/share/zookeeper/bin/zkCli.sh -server 127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183
#
# Environment: PADDOCKD (default build/bin/paddockd), ENSEMBLE_DIR (default data/ensemble),
# TICK_TIME (default 2000 ms). The admin HTTP server is off (three members would share 8080).
set -euo pipefail

cd "$(dirname "$0")/.."
PADDOCKD=${PADDOCKD:-build/bin/paddockd}
ENSEMBLE_DIR=${ENSEMBLE_DIR:-data/ensemble}
TICK_TIME=${TICK_TIME:-2000}

if [[ ! -x $PADDOCKD ]]; then
  echo "run-ensemble: $PADDOCKD is missing; build it first (make build)" >&2
  exit 1
fi
for port in 2181 2182 2183 2888 2889 2890 3888 3889 3890; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "run-ensemble: port $port on 127.0.0.1 is already in use" >&2
    exit 1
  fi
done

mkdir -p "$ENSEMBLE_DIR"
base=$(cd "$ENSEMBLE_DIR" && pwd)
declare -A live=() # pid -> member name, while it runs

stop_all() {
  trap - INT TERM
  echo "run-ensemble: stopping" >&2
  local p
  for p in "${!live[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  wait || true
  exit 0
}
trap stop_all INT TERM

for n in 1 2 3; do
  dir="$base/s$n"
  mkdir -p "$dir/data"
  echo "$n" >"$dir/data/myid"
  cat >"$dir/zoo.cfg" <<EOF
# Written by scripts/run-ensemble.sh; rewritten at every run.
tickTime=$TICK_TIME
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=218$n
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
server.1=127.0.0.1:2888:3888
server.2=127.0.0.1:2889:3889
server.3=127.0.0.1:2890:3890
EOF
  "$PADDOCKD" "$dir/zoo.cfg" > >(sed -u "s/^/[s$n] /") 2>&1 &
  live[$!]="s$n"
done

hosts=127.0.0.1:2181,127.0.0.1:2182,127.0.0.1:2183
echo "run-ensemble: server.1-3 (pids ${!live[*]}) on $hosts; Ctrl-C stops them" >&2
while ((${#live[@]} > 0)); do
  pid=""
  set +e
  wait -n -p pid "${!live[@]}"
  rc=$?
  set -e
  [[ -z $pid ]] && break
  echo "run-ensemble: ${live[$pid]} (pid $pid) exited with $rc" >&2
  unset "live[$pid]"
done
echo "run-ensemble: every member has exited" >&2
