#!/usr/bin/env bash
# Runs `fs demo` on a real loop device: creates a 256 MiB backing file, attaches it with
# `losetup -f --show`, runs the demo on /dev/loopN (O_DIRECT, exclusive open, BLKDISCARD), detaches.
# Needs root and /dev/loop-control: fails clearly (never skips) without them.
# Usage: demo-loop.sh [Release|Debug]
set -euo pipefail
config=${1:-Release}
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" != 0 ]; then
  echo "demo-loop: FAIL: needs root to create a loop device (running as uid $(id -u))" >&2
  exit 1
fi
if [ ! -e /dev/loop-control ]; then
  echo "demo-loop: FAIL: /dev/loop-control is missing: this machine cannot create loop devices" >&2
  exit 1
fi
work=$(mktemp -d /tmp/fs-demo-loop.XXXXXX)
dev=
cleanup() {
  if [ -n "$dev" ]; then losetup -d "$dev" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
truncate -s 256M "$work/backing.img"
dev=$(losetup -f --show "$work/backing.img")
# Registered for test.sh's EXIT trap too, in case this script is killed before its own trap runs.
mkdir -p "$root/artifacts"
echo "losetup -d $dev 2>/dev/null; rm -rf $work" >> "$root/artifacts/cleanup.sh"
echo "demo-loop: $dev backed by $work/backing.img"
dotnet run --project "$root/filesystem/Primitives.Filesystem.Cli" -c "$config" --no-build -- demo "$dev"
