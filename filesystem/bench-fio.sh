#!/usr/bin/env bash
# fio benchmarks of the filesystem mounted through FUSE against ext4 on a loop device of the same
# size, in the same run, filed as markdown with ratios under
# bench/results/<date>-<label>/Filesystem-fio/.
#
# Usage: filesystem/bench-fio.sh [LABEL]      (LABEL defaults to BENCH_LABEL or "<nproc>core")
# Knobs (environment): SIZE (image size, default 4G), SEQ_SIZE (sequential file, default 1G),
# RAND_SIZE (random I/O file, default 256M), RUNTIME (seconds per random job, default 30),
# FILES (small-file count, default 20000), FS_BACKEND (engine|memory, default: engine when
# `fs format` exists), CONFIG (Release).
# Needs root, /dev/fuse, fio, mkfs.ext4, losetup. Run it on a quiet machine: timings swing a lot
# with other load and host caches; compare the two filesystems only within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
label=${1:-${BENCH_LABEL:-$(nproc)core}}
size=${SIZE:-4G}
seq_size=${SEQ_SIZE:-1G}
rand_size=${RAND_SIZE:-256M}
runtime=${RUNTIME:-30}
files=${FILES:-20000}
config=${CONFIG:-Release}
fs_bin="$root/filesystem/Primitives.Filesystem.Cli/bin/$config/net10.0/fs"
out="$root/bench/results/${BENCH_DATE:-$(date -u +%F)}-$label/Filesystem-fio"

[ "$(id -u)" = 0 ] || { echo "bench-fio: must run as root" >&2; exit 1; }
[ -e /dev/fuse ] || { echo "bench-fio: /dev/fuse missing" >&2; exit 1; }
[ -e /dev/loop-control ] || { echo "bench-fio: /dev/loop-control missing (loop devices needed for ext4)" >&2; exit 1; }
for t in fio mkfs.ext4 losetup python3 fusermount3; do command -v $t >/dev/null || { echo "bench-fio: $t missing" >&2; exit 1; }; done
[ -x "$fs_bin" ] || { echo "bench-fio: build first: dotnet build Primitives.sln -c $config" >&2; exit 1; }

backend=${FS_BACKEND:-}
if [ -z "$backend" ]; then
  if "$fs_bin" --help 2>/dev/null | grep -qE "^ +format( |$)"; then backend=engine; else backend=memory; fi
fi

work=$(mktemp -d /tmp/primitives-bench-fio-XXXXXX)
mkdir -p "$work/ours" "$work/ext4" "$work/json" "$out"
loop=
mount_pid=
mkdir -p "$root/artifacts"
echo "fusermount3 -u -z '$work/ours' 2>/dev/null; umount -l '$work/ext4' 2>/dev/null; rm -rf '$work'" >> "$root/artifacts/cleanup.sh"
cleanup() {
  if [ -n "$mount_pid" ] && ! kill -0 "$mount_pid" 2>/dev/null && [ -f "$work/mount.log" ]; then
    echo "bench-fio: the mount process died; its log:" >&2; tail -40 "$work/mount.log" >&2
  fi
  mountpoint -q "$work/ours" && fusermount3 -u -z "$work/ours"
  mountpoint -q "$work/ext4" && umount "$work/ext4"
  [ -n "$loop" ] && losetup -d "$loop"
  rm -rf "$work"
}
trap cleanup EXIT

# ext4 on a loop device of the same size.
truncate -s "$size" "$work/ext4.img"
loop=$(losetup -f --show "$work/ext4.img")
echo "losetup -d $loop 2>/dev/null" >> "$root/artifacts/cleanup.sh"
mkfs.ext4 -q -F "$loop"
mount "$loop" "$work/ext4"

# Ours: a formatted image of the same size (or the memory backend, labelled as such).
if [ "$backend" = engine ]; then
  truncate -s "$size" "$work/ours.img"
  "$fs_bin" format "$work/ours.img" >/dev/null
  mount_out=$("$fs_bin" mount "$work/ours.img" "$work/ours" --log "$work/mount.log")
else
  mount_out=$("$fs_bin" mount memory "$work/ours" --memory --log "$work/mount.log")
fi
mount_pid=$(echo "$mount_out" | sed -n 's/.*(pid \([0-9]*\),.*/\1/p')

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }

# run NAME FS fio-args...: one fio job, JSON into $work/json/NAME.FS.json
run() {
  local name=$1 fs=$2; shift 2
  local dir="$work/$fs"
  drop_caches
  fio --name="$name" --directory="$dir" --ioengine=psync --fallocate=none --output-format=json "$@" \
    > "$work/json/$name.$fs.json"
}

for fs in ours ext4; do
  run seqwrite "$fs" --rw=write --bs=1m --size="$seq_size" --end_fsync=1 --filename=seq.dat
  run seqread "$fs" --rw=read --bs=1m --size="$seq_size" --filename=seq.dat
  run randwrite-fsync "$fs" --rw=randwrite --bs=4k --size="$rand_size" --fsync=1 --runtime="$runtime" --time_based --filename=rand.dat
  run randread "$fs" --rw=randread --bs=4k --size="$rand_size" --runtime="$runtime" --time_based --filename=rand.dat
  rm -f "$work/$fs/seq.dat" "$work/$fs/rand.dat"
  mkdir -p "$work/$fs/small"
  run create "$fs" --ioengine=filecreate --directory="$work/$fs/small" --nrfiles="$files" --filesize=4k --openfiles=1 --create_on_open=1
  run stat "$fs" --ioengine=filestat --directory="$work/$fs/small" --nrfiles="$files" --filesize=4k --openfiles=1
  run unlink "$fs" --ioengine=filedelete --directory="$work/$fs/small" --nrfiles="$files" --filesize=4k --openfiles=1
done

fusermount3 -u "$work/ours"
for _ in $(seq 1 300); do kill -0 "$mount_pid" 2>/dev/null || break; sleep 0.1; done
mount_pid=

{
  echo "# Machine"
  echo "- date (UTC): $(date -u '+%F %T')"
  echo "- cores: $(nproc); memory: $(free -g | awk '/Mem:/{print $2}') GiB"
  echo "- cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "- os: $(. /etc/os-release; echo "$PRETTY_NAME"); kernel $(uname -r)"
  echo "- fio: $(fio --version); dotnet: $(dotnet --version)"
  echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- ours: backend $backend, FUSE (libfuse $(fusermount3 -V 2>&1 | sed 's/.*version: //')), image $size; ext4: loop device $size"
} > "$out/machine.md"

python3 - "$work/json" "$out/fio.md" "$backend" "$out/fio.csv" <<'PY'
import json, os, sys
d, dest, backend, csv_dest = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def job(name, fs):
    with open(os.path.join(d, f"{name}.{fs}.json")) as f:
        return json.load(f)["jobs"][0]
def mibs(j, kind): return j[kind]["bw_bytes"] / 2**20
def iops(j, kind): return j[kind]["iops"]
def p99(j, kind):
    stats = j[kind].get("lat_ns", {}) if kind == "sync" else j[kind].get("clat_ns", {})
    v = stats.get("percentile", {}).get("99.000000")
    return v / 1000 if v else float("nan")
# (label, job, value, goal of ours/ext4 for throughput rows or None, short name for the chart)
rows = [
    ("sequential write 1 MiB (MiB/s)", "seqwrite", lambda j: mibs(j, "write")),
    ("sequential read 1 MiB (MiB/s)", "seqread", lambda j: mibs(j, "read")),
    ("4 KiB random write + fsync (IOPS)", "randwrite-fsync", lambda j: iops(j, "write")),
    ("4 KiB random write p99 (us)", "randwrite-fsync", lambda j: p99(j, "write")),
    ("fsync after a 4 KiB write p99 (us)", "randwrite-fsync", lambda j: p99(j, "sync")),
    ("4 KiB random read (IOPS)", "randread", lambda j: iops(j, "read")),
    ("4 KiB random read p99 (us)", "randread", lambda j: p99(j, "read")),
    ("small files: create (files/s)", "create", lambda j: iops(j, "read") or iops(j, "write")),
    ("small files: stat (files/s)", "stat", lambda j: iops(j, "read") or iops(j, "write")),
    ("small files: unlink (files/s)", "unlink", lambda j: iops(j, "read") or iops(j, "write")),
]
goals = {"seqwrite": 0.5, "seqread": 0.5, "randwrite-fsync": 0.5, "create": 0.3, "stat": 0.3, "unlink": 0.3}
with open(dest, "w") as out, open(csv_dest, "w") as csv:
    out.write(f"# fio: our filesystem (FUSE, backend {backend}) vs ext4 on a loop device, same run\n\n")
    out.write("| workload | ours | ext4 | ours / ext4 |\n|---|---:|---:|---:|\n")
    csv.write("workload,job,kind,ours,ext4,ratio,goal\n")
    for label, name, f in rows:
        a, b = f(job(name, "ours")), f(job(name, "ext4"))
        ratio = a / b if b else float("nan")
        out.write(f"| {label} | {a:,.1f} | {b:,.1f} | {ratio:.2f} |\n")
        kind = "latency" if "p99" in label else "throughput"
        goal = goals.get(name, "") if kind == "throughput" else ""
        csv.write(f"{label.replace(',', '')},{name},{kind},{a:.3f},{b:.3f},{ratio:.4f},{goal}\n")
    out.write("\nLatency rows: lower is better (the ratio above 1 means ours is slower). fio JSON kept next to this file.\n")
PY
cp "$work"/json/*.json "$out/"
echo "results in $out"
cat "$out/fio.md"
