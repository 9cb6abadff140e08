#!/usr/bin/env bash
# Runs benchmarks and files the results under bench/results/<date>-<machine>/<suite>/ with a
# machine.md describing where they ran. Usage: bench/run.sh FILTER [more BenchmarkDotNet args]
# Example: bench/run.sh '*PerCpuCounter*' --job short
# FILTER may hold several globs separated by spaces ('*A* *B*'); they are not expanded by the shell.
# The suite folder is named from the filter (BENCH_NAME overrides); the machine label is the core
# count (BENCH_LABEL overrides, e.g. BENCH_LABEL=16core-device); the date is today's (UTC;
# BENCH_DATE overrides, so bench/reproduce.sh files every suite under one folder).
# Besides BenchmarkDotNet's reports, the folder gets the tables some suites write themselves
# (handoff-latency, fairness-wait, intent-with-readers: .md and .csv).
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:?usage: bench/run.sh FILTER [args]}; shift
read -ra filters <<< "$filter"
label=${BENCH_LABEL:-$(nproc)core}
name=${BENCH_NAME:-$(echo "$filter" | tr -c 'A-Za-z0-9.\n-' '_' | sed 's/^_*//; s/_*$//')}
out="bench/results/${BENCH_DATE:-$(date -u +%F)}-$label/${name:-all}"
mkdir -p "$out"
{
  echo "# Machine"
  echo "- date (UTC): $(date -u '+%F %T')"
  echo "- cores: $(nproc); memory: $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "- cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "- os: $(. /etc/os-release; echo "$PRETTY_NAME"); kernel $(uname -r)"
  echo "- dotnet: $(dotnet --version)"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- load average at start (1/5/15 min): $(cut -d" " -f1-3 /proc/loadavg)"
} > "$out/machine.md"
dotnet run -c Release --project bench/Primitives.Benchmarks -- --filter "${filters[@]}" --artifacts "$out/artifacts" "$@"
# Keep the reports (markdown + CSV), not BenchmarkDotNet's build logs.
find "$out/artifacts/results" -type f \( -name '*.md' -o -name '*.csv' \) -exec cp {} "$out/" \;
rm -rf "$out/artifacts"
echo "results in $out"
