#!/usr/bin/env bash
# Reproduces every benchmark result the README cites, then draws the charts.
#
#   bench/reproduce.sh              # every suite, about 25 minutes on 2 cores
#   bench/reproduce.sh Handoff Mix  # only the suites whose name contains one of the words
#   BENCH_LABEL=16core-device bench/reproduce.sh   # label the folder for another machine
#
# Each suite runs through bench/run.sh with BENCH_NAME set, so everything lands in ONE folder,
# bench/results/<UTC date at start>-<label>/<suite>/ (label: BENCH_LABEL, default "<nproc>core"),
# with BenchmarkDotNet's reports (*-report.csv, *-report-github.md), machine.md, and the tables
# the contention suites write themselves (handoff-latency, fairness-wait, intent-with-readers).
# Then bench/Primitives.Plots turns that folder's CSVs into PNGs under <folder>/plots/.
#
# Suites:
#   Statistics, Counters, Locking, Closures: the suites of the README's performance tables, with
#     BenchmarkDotNet's short job (--job short: 3 warm-ups, 3 iterations), as cited there.
#   HandoffLatency, ReadMostlyMix, IntentWithReaders, PerCpuReaders, Fairness: the contention
#     suites (bench/Primitives.Benchmarks/Locking), with their own small LockSuite job
#     (2 warm-ups, 5 iterations of about 150 ms); about 10 minutes together on 2 cores.
#   Filesystem: btree point operations against SortedDictionary, journal commit latency, group
#     commit (bench/Primitives.Benchmarks/Filesystem), --job short.
#   fio (the word "fio", or no words): filesystem/bench-fio.sh, our FUSE mount against ext4 on a
#     loop device of the same size, into <folder>/Filesystem-fio/.
#
# Run it on a quiet machine: timings taken beside builds or other benchmarks are noise.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_LABEL=${BENCH_LABEL:-$(nproc)core}
export BENCH_DATE=${BENCH_DATE:-$(date -u +%F)}
folder="bench/results/$BENCH_DATE-$BENCH_LABEL"

dotnet build -c Release bench/Primitives.Benchmarks -nologo -v quiet
dotnet build -c Release bench/Primitives.Plots -nologo -v quiet

suite() {
  local name=$1; shift
  if [ ${#selected[@]} -gt 0 ]; then
    local want=no
    for word in "${selected[@]}"; do [[ $name == *"$word"* ]] && want=yes; done
    [ $want = yes ] || return 0
  fi
  echo "=== $name: bench/run.sh $*"
  BENCH_NAME=$name bench/run.sh "$@"
}
selected=("$@")

suite Statistics 'Primitives.Benchmarks.Statistics.*' --job short
suite Counters 'Primitives.Benchmarks.Counters.*' --job short
suite Locking '*.SixLockUncontendedBenchmarks.* *.SixLockPingPongBenchmarks.* *.SixLockReadMostlyBenchmarks.* *.SixLockAsyncBenchmarks.*' --job short
suite Closures 'Primitives.Benchmarks.Closures.*' --job short
suite HandoffLatency '*.HandoffLatencyBenchmarks.*'
suite ReadMostlyMix '*.ReadMostlyMixBenchmarks.* *.AsyncReadMostlyMixBenchmarks.*'
suite IntentWithReaders '*.IntentWithReadersBenchmarks.*'
suite PerCpuReaders '*.PerCpuReaderBenchmarks.*'
suite Fairness '*.FairnessBenchmarks.*'
suite Filesystem 'Primitives.Benchmarks.Filesystem.*' --job short

# The mounted filesystem against ext4 (root, /dev/fuse and fio needed; see filesystem/bench-fio.sh).
if [ ${#selected[@]} -eq 0 ] || [[ " ${selected[*]} " == *" fio "* ]]; then
  echo "=== fio: filesystem/bench-fio.sh $BENCH_LABEL"
  dotnet build -c Release Primitives.sln -nologo -v quiet
  filesystem/bench-fio.sh "$BENCH_LABEL"
fi

echo "=== plots"
# Exits 1 when the folder has no CSV it can chart (e.g. only Statistics was selected).
if ! dotnet run -c Release --no-build --project bench/Primitives.Plots -- "$folder" "$folder/plots"; then
  [ ${#selected[@]} -gt 0 ] || exit 1
  echo "no charts for the selected suites"
fi
echo "results and plots in $folder"
