#!/bin/sh
# Runs every fuzz target of a PADDOCK_FUZZ build over its seed corpus (fuzz/corpus/<target>).
#   fuzz/run.sh BUILD_DIR runs N      each target for N executions (make test's quick step);
#                                     new inputs go to a temporary dir, the seeds are not touched
#   fuzz/run.sh BUILD_DIR seconds S   each target for S seconds (make fuzz); new inputs are kept
#                                     in BUILD_DIR/fuzz-corpus/<target>, crashes in
#                                     BUILD_DIR/fuzz-crashes/ (reproduce: BUILD_DIR/fuzz/fuzz_<t> FILE)
# FUZZ_TARGETS="txn election" limits the set. Exits non-zero if any target found a crash, an
# invariant failure (FUZZ_CHECK), a leak, or an allocation over the limits below.
set -u
build=$1 mode=$2 amount=$3
src=$(cd "$(dirname "$0")" && pwd)
targets=${FUZZ_TARGETS:-$(ls "$src/corpus")}
# No input may make a decoder allocate much beyond its own size: 64 MiB for one allocation,
# 1 GiB in all (ASan's own overhead included).
limits="-rss_limit_mb=1024 -malloc_limit_mb=64 -timeout=10 -max_len=65536"
crashes="$build/fuzz-crashes"
mkdir -p "$crashes"
failed=0
for t in $targets; do
  bin="$build/fuzz/fuzz_$t"
  if [ ! -x "$bin" ]; then echo "fuzz: $t: $bin is missing"; failed=1; continue; fi
  if [ "$mode" = runs ]; then
    work=$(mktemp -d)
    args="-runs=$amount"
  else
    work="$build/fuzz-corpus/$t"
    mkdir -p "$work"
    args="-max_total_time=$amount"
  fi
  log="$build/fuzz-$t.log"
  if "$bin" $args $limits -artifact_prefix="$crashes/$t-" -print_final_stats=1 \
      "$work" "$src/corpus/$t" >"$log" 2>&1; then
    echo "fuzz: $t ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs)"
  else
    echo "fuzz: $t FAILED (log: $log)"
    grep -E 'FUZZ_CHECK|ERROR:|SUMMARY|Test unit written' "$log" | head -5
    failed=1
  fi
  [ "$mode" = runs ] && rm -rf "$work"
done
exit $failed
