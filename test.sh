#!/usr/bin/env bash
# Runs every test of the repository: builds the solution, runs each test project, packs the
# library and runs the NuGet consumer against the packed package, runs the samples and the
# benchmark smoke run. Prints a final line "N passed, N failed".
#
# Needs only the .NET 10 SDK; whatever else a test needs, this script installs or creates itself
# and removes again on exit.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
art="$root/artifacts"
results="$art/test-results"
rm -rf "$results" "$art/packages" "$art/consumer-packages"
mkdir -p "$results" "$art/packages"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 COYOTE_CLI_TELEMETRY_OPTOUT=1
config=Release
passed=0
failed=0
failures=()

cleanup() {
  # Test helpers register what they create (loop devices, mounts) in this file, one command a line.
  if [ -f "$art/cleanup.sh" ]; then bash "$art/cleanup.sh" || true; rm -f "$art/cleanup.sh"; fi
}
trap cleanup EXIT INT TERM

# step NAME COMMAND...: a step that counts as one test.
step() {
  local name=$1; shift
  echo "::: $name"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("$name"); fi
}

echo "::: build ($config)"
if ! dotnet build Primitives.sln -c "$config" -nologo; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# FUSE prerequisites (root, /dev/fuse, fuse3, libfuse3-dev, fio, gcc): the filesystem tests need them.
step "FUSE prerequisites (fuse3 libfuse3-dev fio gcc)" bash filesystem/fuse-tests.sh prereq

# Every test project: xunit through dotnet test, counted from its TRX file.
mapfile -t projects < <(find src coyote-tests filesystem -name '*Tests.csproj' 2>/dev/null | sort)
for proj in "${projects[@]}"; do
  name=$(basename "$proj" .csproj)
  echo "::: test $name"
  dotnet test "$proj" -c "$config" --no-build -nologo \
    --blame-hang-timeout 10m \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results"
  rc=$?
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
    f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    if [ "${p:-0}" = 0 ] && [ "${f:-0}" = 0 ]; then failed=$((failed + 1)); failures+=("$name ran no test"); fi
    if [ "$rc" -ne 0 ] && [ "${f:-0}" = 0 ]; then failed=$((failed + 1)); failures+=("$name (exit $rc)"); fi
    [ "${f:-0}" != 0 ] && failures+=("$name: $f failed")
  else
    failed=$((failed + 1)); failures+=("$name (no results, exit $rc)")
  fi
done

# The NuGet package: pack it, then build and run a consumer that can only get Primitives from it.
version=$(dotnet msbuild src/Primitives/Primitives.csproj -getProperty:Version -nologo)
step "pack Primitives $version" dotnet pack src/Primitives/Primitives.csproj -c "$config" --no-build -nologo -o "$art/packages"
step "NuGet consumer of Primitives.$version.nupkg" dotnet run --project samples/NuGetConsumer -c "$config" \
  --property:PrimitivesVersion="$version" --property:RestorePackagesPath="$art/consumer-packages" -- "$art/packages/Primitives.$version.nupkg"

# The main job of the README on its embedded default.
step "tour sample" dotnet run --project samples/Tour -c "$config" --no-build

# The sample filesystem's main job (README): demo on a temporary image file, then on a real loop device.
step "fs demo (image file)" dotnet run --project filesystem/Primitives.Filesystem.Cli -c "$config" --no-build -- demo
step "fs demo (loop device)" bash filesystem/Primitives.Filesystem.Cli/demo-loop.sh "$config"

if [ -f bench/Primitives.Benchmarks/Primitives.Benchmarks.csproj ]; then
  # Smoke run only: every benchmark runs a handful of iterations; no timing is asserted.
  step "benchmark smoke run" dotnet run --project bench/Primitives.Benchmarks -c "$config" --no-build -- --smoke
fi

if [ -f bench/Primitives.Plots/Primitives.Plots.csproj ]; then
  # The chart tool on the committed fixture CSVs (same layout as bench/results/); fails if it writes no PNG.
  rm -rf "$art/plots"
  step "benchmark plots from fixture CSVs" dotnet run --project bench/Primitives.Plots -c "$config" --no-build -- \
    bench/Primitives.Plots/testdata "$art/plots"
fi

# The filesystem mounted through FUSE (`fs mount` on a formatted image), exercised with fsx, fio and
# standard tools, signals, remount and a simulated crash (fsck after each).
step "FUSE mount: fsx random operations" bash filesystem/fuse-tests.sh fsx
step "FUSE mount: fio write+verify" bash filesystem/fuse-tests.sh fio
step "FUSE mount: cp -a, diff -r, tar, git, find, du" bash filesystem/fuse-tests.sh tools
step "FUSE mount: SIGINT/SIGTERM unmount cleanly" bash filesystem/fuse-tests.sh signals
step "FUSE mount: unmount, fsck, remount, data intact" bash filesystem/fuse-tests.sh remount
step "FUSE mount: kill -9 mid-workload, replay, fsynced data intact, fsck clean" bash filesystem/fuse-tests.sh crash

if [ ${#failures[@]} -gt 0 ]; then
  echo "Failures:"
  printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
