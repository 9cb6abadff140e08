#!/usr/bin/env bash
# The FUSE end-to-end checks test.sh runs as steps: each MODE mounts a fresh filesystem with
# `fs mount` (background mode), runs standard tools against it, unmounts, and cleans up after itself
# (trap) and through artifacts/cleanup.sh (test.sh's EXIT trap).
#
#   fuse-tests.sh prereq   root + /dev/fuse check; installs fuse3, libfuse3-dev, fio, gcc when missing
#   fuse-tests.sh fsx      fsx random operations (bounded ops), every byte checked against a model
#   fuse-tests.sh fio      fio write+verify jobs (crc32c, verify_fatal)
#   fuse-tests.sh tools    cp -a in/out + diff -r, tar create/extract, git init/commit/fsck, find, du
#   fuse-tests.sh signals  SIGINT and SIGTERM to the mount process unmount cleanly
#   fuse-tests.sh remount  write, unmount (fusermount3 -u), remount, data intact, fsck clean   [engine]
#   fuse-tests.sh crash    fsync some files, kill -9 the mount mid-workload, fusermount3 -u -z,
#                          remount (journal replay), fsynced data intact, unmount, fsck clean [engine]
#
# Backend: FS_BACKEND=engine mounts a freshly formatted image (needs `fs format` and the engine);
# FS_BACKEND=memory mounts the in-memory backend (no persistence: remount/crash refuse to run).
# Default: engine when `fs format --help` works, else memory. The backend used is printed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:?usage: fuse-tests.sh prereq|fsx|fio|tools|remount|crash}
config=${CONFIG:-Release}
fs_bin="$root/filesystem/Primitives.Filesystem.Cli/bin/$config/net10.0/fs"
fsx_bin="$root/filesystem/Primitives.Filesystem.Fsx/bin/$config/net10.0/fsx"
art="$root/artifacts"
mkdir -p "$art"

die() { echo "fuse-tests ($mode): FAIL: $*" >&2; exit 1; }

require_root_fuse() {
  [ "$(id -u)" = 0 ] || die "must run as root (FUSE mounts without fusermount3, loop devices)"
  [ -e /dev/fuse ] || die "/dev/fuse is missing: load the fuse module or run with --device /dev/fuse"
}

if [ "$mode" = prereq ]; then
  require_root_fuse
  need=()
  command -v fusermount3 >/dev/null || need+=(fuse3)
  [ -f /usr/include/fuse3/fuse_lowlevel.h ] || need+=(libfuse3-dev)
  command -v fio >/dev/null || need+=(fio)
  command -v gcc >/dev/null || need+=(gcc)
  command -v git >/dev/null || need+=(git)
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]}"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null 2>&1 \
        || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null; }; }; then
      die "apt-get install ${need[*]} failed: install them by hand (Debian packages fuse3 libfuse3-dev fio gcc git)"
    fi
  fi
  for t in fusermount3 fio gcc git; do command -v $t >/dev/null || die "$t still missing after apt-get"; done
  [ -f /usr/include/fuse3/fuse_lowlevel.h ] || die "libfuse3 headers still missing after apt-get"
  echo "prerequisites present: $(fusermount3 -V 2>&1 | head -1), $(fio --version)"
  exit 0
fi

require_root_fuse
[ -x "$fs_bin" ] || die "$fs_bin not built (dotnet build Primitives.sln -c $config)"
command -v fusermount3 >/dev/null || die "fusermount3 missing: run fuse-tests.sh prereq"

backend=${FS_BACKEND:-}
if [ -z "$backend" ]; then
  if "$fs_bin" --help 2>/dev/null | grep -qE "^ +format( |$)"; then backend=engine; else backend=memory; fi
fi
echo "fuse-tests ($mode): backend $backend"

work=$(mktemp -d /tmp/primitives-fuse-XXXXXX)
mnt="$work/mnt"
img="$work/fs.img"
mkdir -p "$mnt"
echo "fusermount3 -u -z '$mnt' 2>/dev/null; rm -rf '$work'" >> "$art/cleanup.sh"
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then fusermount3 -u -z "$mnt" 2>/dev/null; fi
  [ -n "${mount_pid:-}" ] && kill -9 "$mount_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

mount_fs() {
  local out
  if [ "$backend" = memory ]; then
    out=$("$fs_bin" mount primitives-memory "$mnt" --memory --log "$work/mount.log") || { cat "$work/mount.log" 2>/dev/null; die "fs mount --memory failed: $out"; }
  else
    out=$("$fs_bin" mount "$img" "$mnt" --log "$work/mount.log") || { cat "$work/mount.log" 2>/dev/null; die "fs mount $img failed: $out"; }
  fi
  echo "$out"
  mount_pid=$(echo "$out" | sed -n 's/.*(pid \([0-9]*\),.*/\1/p')
  mountpoint -q "$mnt" || die "$mnt is not a mount point after fs mount"
}

unmount_fs() {
  fusermount3 -u "$mnt" || die "fusermount3 -u $mnt failed"
  # The mount process flushes and exits after the unmount.
  for _ in $(seq 1 300); do kill -0 "$mount_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$mount_pid" 2>/dev/null && die "mount process $mount_pid still running 30 s after the unmount"
  mount_pid=
}

format_image() {
  truncate -s "${FS_IMAGE_SIZE:-512M}" "$img"
  "$fs_bin" format "$img" >/dev/null || die "fs format $img failed"
}

fsck_image() {
  "$fs_bin" fsck "$img" || die "fs fsck $img reported errors"
}

need_engine() {
  [ "$backend" = engine ] || die "'$mode' needs the disk engine (persistence); this build has only the memory backend"
}

[ "$backend" = engine ] && format_image

case "$mode" in
  fsx)
    mount_fs
    "$fsx_bin" "$mnt" --ops "${FSX_OPS:-3000}" --seed "${FSX_SEED:-1}" --quiet || die "fsx found a mismatch (see above)"
    "$fsx_bin" "$mnt" --ops "${FSX_OPS:-3000}" --seed "${FSX_SEED2:-2}" --files 8 --max-size 262144 --quiet || die "fsx found a mismatch (see above)"
    unmount_fs
    [ "$backend" = engine ] && fsck_image
    ;;
  fio)
    mount_fs
    fio --name=randwrite-verify --directory="$mnt" --size=16m --bs=4k --rw=randwrite --ioengine=psync \
        --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_state_save=0 --fallocate=none --numjobs=2 --group_reporting \
        --minimal >/dev/null || die "fio random-write verify failed"
    fio --name=seq-verify --directory="$mnt" --size=32m --bs=128k --rw=write --ioengine=psync --fsync=8 \
        --verify=crc32c --do_verify=1 --verify_fatal=1 --verify_state_save=0 --fallocate=none --minimal >/dev/null || die "fio sequential verify failed"
    echo "fio: random 4k write + sequential 128k write jobs verified (crc32c)"
    rm -f "$mnt"/*.0 "$mnt"/*.1
    unmount_fs
    [ "$backend" = engine ] && fsck_image
    ;;
  tools)
    mount_fs
    src="$root/src"
    cp -a "$src" "$mnt/src" || die "cp -a into the mount failed"
    diff -r "$src" "$mnt/src" >/dev/null || die "diff -r after cp -a in: trees differ"
    cp -a "$mnt/src" "$work/out" || die "cp -a out of the mount failed"
    diff -r "$src" "$work/out" >/dev/null || die "diff -r after cp -a out: trees differ"
    (cd "$mnt" && tar cf tree.tar src) || die "tar create in the mount failed"
    mkdir -p "$mnt/untar" && tar xf "$mnt/tree.tar" -C "$mnt/untar" || die "tar extract in the mount failed"
    diff -r "$src" "$mnt/untar/src" >/dev/null || die "diff -r after tar round trip: trees differ"
    n_src=$(find "$src" | wc -l); n_mnt=$(find "$mnt/src" | wc -l)
    [ "$n_src" = "$n_mnt" ] || die "find counts differ: $n_src vs $n_mnt"
    du -s "$mnt/src" >/dev/null || die "du failed"
    (cd "$mnt" && git init -q repo && cd repo && cp -a "$src" . && git add -A && \
      git -c user.name=t -c user.email=t@t commit -qm "in the mount" && git fsck --full 2>&1 | grep -v '^Checking' ; \
      git -c user.name=t -c user.email=t@t mv src moved && git -c user.name=t -c user.email=t@t commit -qm mv && \
      git log --oneline | wc -l | grep -qx 2) || die "git init/add/commit/mv/fsck inside the mount failed"
    [ "$(cd "$mnt/repo" && git status --porcelain | wc -l)" = 0 ] || die "git status not clean inside the mount"
    rm -rf "$mnt/src" "$mnt/untar" "$mnt/repo" "$mnt/tree.tar" || die "rm -rf in the mount failed"
    [ -z "$(ls -A "$mnt")" ] || die "mount not empty after rm -rf: $(ls -A "$mnt")"
    echo "tools: cp -a in/out, diff -r, tar, find ($n_src entries), du, git init/commit/mv/fsck, rm -rf: OK"
    unmount_fs
    [ "$backend" = engine ] && fsck_image
    ;;
  signals)
    for sig in INT TERM; do
      mount_fs
      echo data > "$mnt/file" || die "write before SIG$sig failed"
      kill -s "$sig" "$mount_pid"
      for _ in $(seq 1 300); do kill -0 "$mount_pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$mount_pid" 2>/dev/null && die "mount process still running 30 s after SIG$sig"
      mountpoint -q "$mnt" && die "$mnt still mounted after SIG$sig"
      grep -q "SIG$sig: unmounting" "$work/mount.log" || die "the mount log does not show the SIG$sig unmount"
      mount_pid=
      [ "$backend" = engine ] && fsck_image
    done
    echo "signals: SIGINT and SIGTERM unmount cleanly and end the mount process"
    ;;
  remount)
    need_engine
    mount_fs
    cp -a "$root/src" "$mnt/src" || die "cp -a failed"
    head -c 5000000 /dev/urandom > "$mnt/big.bin"
    (cd "$mnt" && find . -type f -exec sha256sum {} + | sort -k2) > "$work/before.sha"
    unmount_fs
    fsck_image
    mount_fs
    (cd "$mnt" && find . -type f -exec sha256sum {} + | sort -k2) > "$work/after.sha"
    diff "$work/before.sha" "$work/after.sha" || die "data differs after unmount/remount"
    diff -r "$root/src" "$mnt/src" >/dev/null || die "tree differs after remount"
    unmount_fs
    fsck_image
    echo "remount: $(wc -l < "$work/before.sha") files intact after unmount, fsck and remount"
    ;;
  crash)
    need_engine
    mount_fs
    mkdir -p "$mnt/synced"
    for i in $(seq 1 20); do head -c $((i * 37000)) /dev/urandom > "$mnt/synced/f$i"; done
    cp -a "$root/src" "$mnt/synced/src"
    sync -f "$mnt/synced/f1" || die "syncfs failed"
    for f in "$mnt"/synced/f*; do python3 -c "import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)" "$f" 2>/dev/null || sync -f "$f"; done
    (cd "$mnt/synced" && find . -type f -exec sha256sum {} + | sort -k2) > "$work/synced.sha"
    # Unsynced workload while the process dies.
    ( for i in $(seq 1 200); do head -c 100000 /dev/urandom > "$mnt/unsynced-$i" 2>/dev/null || break; done ) &
    load=$!
    sleep 1
    kill -9 "$mount_pid"; wait "$load" 2>/dev/null
    mount_pid=
    fusermount3 -u -z "$mnt" || die "fusermount3 -u -z after the kill failed"
    # The mount replays the journal and corrects the allocator (space written by operations that
    # never committed); fsck must then find the unmounted image clean.
    mount_fs
    (cd "$mnt/synced" && find . -type f -exec sha256sum {} + | sort -k2) > "$work/after.sha"
    diff "$work/synced.sha" "$work/after.sha" || die "fsynced data differs after the crash and replay"
    unmount_fs
    fsck_image
    echo "crash: $(wc -l < "$work/synced.sha") fsynced files intact after kill -9, replay and fsck"
    ;;
  *) die "unknown mode $mode" ;;
esac
echo "fuse-tests ($mode): OK"
