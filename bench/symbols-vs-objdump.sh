#!/usr/bin/env bash
# Races `vdsoscope symbols --style=objdump` against `objdump -T` over every shared library in
# /usr/lib/x86_64-linux-gnu, each in ONE invocation over the whole list, output to /dev/null.
# Not a test: prints each run's wall time and peak RSS (/usr/bin/time), the medians, the ratio of
# medians (ours / objdump; the goal is <= 1.0) and the largest RSS (the goal is <= 128 MB).
#
# The list: regular files (symlinks are left out, so no library is counted twice) named *.so or
# *.so.* whose first four bytes are the ELF magic, sorted.
#
# How vdsoscope is started: with ./vdsoscope when the tree has that launcher, as users run it;
# otherwise, or with BENCH_PACKAGED=1, as a packaged tool would ship it: the launcher's JVM flags
#   --enable-native-access=ALL-UNNAMED   FFM maps the files
#   -XX:+UseSerialGC -Xms48m             fastest-starting GC, a heap that rarely collects in a batch
#   -XX:PretenureSizeThreshold=256k      large arrays go to the old generation, never copied
#   -XX:-UsePerfData                     no hsperfdata file
#   -XX:TieredStopAtLevel=1              C1 alone: the run is over before C2 would pay off
# and an AOT cache of its own, cli/target/vdsoscope-objdump.aot, made when missing or older than the jar
# by a training run of the same command over the vDSO fixtures and the ELF programs in /usr/bin
# (not over the benchmark's libraries).
#
# Usage: bench/symbols-vs-objdump.sh [RUNS]   (default 5; runs are interleaved: ours, objdump, ...)
# Environment: JAVA_HOME (a JDK 25; default /usr/lib/jvm/temurin-25-jdk-amd64), LIBDIR, BENCH_PACKAGED, and
# BENCH_RT=1 to run both commands under `chrt -f 50` (real-time priority; needs root): on a machine
# shared with other builds, wall times are otherwise mostly other people's load.
set -euo pipefail
# Wall times come from $EPOCHREALTIME (bash 5), whose decimal point follows the locale.
export LC_ALL=C
[ -n "${EPOCHREALTIME:-}" ] || { echo "needs bash 5 or newer (\$EPOCHREALTIME)" >&2; exit 2; }
cd "$(dirname "$0")/.."
RUNS=${1:-5}
LIBDIR=${LIBDIR:-/usr/lib/x86_64-linux-gnu}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "needs GNU time at $TIME (apt-get install time)" >&2; exit 2; }
command -v objdump >/dev/null || { echo "needs objdump (binutils)" >&2; exit 2; }

LIST=$(mktemp)
trap 'rm -f "$LIST" "$LIST".*' EXIT
find "$LIBDIR" -type f \( -name '*.so' -o -name '*.so.*' \) -print0 | sort -z |
    while IFS= read -r -d '' f; do
        [ "$(head -c 4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && printf '%s\n' "$f"
    done > "$LIST"
COUNT=$(wc -l < "$LIST")
mapfile -t FILES < "$LIST"

JVM_FLAGS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms48m -XX:PretenureSizeThreshold=256k -XX:-UsePerfData
    -XX:TieredStopAtLevel=1)
if [ -x ./vdsoscope ] && [ "${BENCH_PACKAGED:-0}" != 1 ]; then
    OURS=(./vdsoscope)
    HOW="./vdsoscope (the launcher)"
else
    [ -f cli/target/vdsoscope.jar ] || mvn -q -o package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true
    AOT=cli/target/vdsoscope-objdump.aot
    if [ ! -f "$AOT" ] || [ cli/target/vdsoscope.jar -nt "$AOT" ]; then
        # Training: the same command over the ELF programs in /usr/bin, a workload disjoint from the
        # benchmark's list of libraries.
        mapfile -t TRAIN < <(find /usr/bin -maxdepth 1 -type f -print0 | sort -z |
            while IFS= read -r -d '' f; do
                [ "$(head -c 4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] && printf '%s\n' "$f"
            done)
        rm -f "$AOT"
        "$JAVA" "${JVM_FLAGS[@]}" -XX:AOTCacheOutput="$AOT" -jar cli/target/vdsoscope.jar \
            symbols --style=objdump test-fixtures/vdso/*.so "${TRAIN[@]}" > /dev/null 2>&1 || true
    fi
    OURS=("$JAVA" "${JVM_FLAGS[@]}" -XX:AOTCache="$AOT" -jar cli/target/vdsoscope.jar)
    HOW="java ${JVM_FLAGS[*]} -XX:AOTCache=$AOT -jar cli/target/vdsoscope.jar"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "files:   $COUNT shared libraries under $LIBDIR"
echo "ours:    $HOW symbols --style=objdump FILES..."
echo "theirs:  $(objdump --version | head -1) -T FILES..."
command -v bc >/dev/null || { echo "needs bc" >&2; exit 2; }

PREFIX=()
if [ "${BENCH_RT:-0}" = 1 ]; then
    PREFIX=(chrt -f 50)
    echo "priority: both under chrt -f 50 (BENCH_RT=1)"
fi

run() { # label, command... ; prints the run's line, leaves "seconds kilobytes user sys" in $LIST.time
    # Wall time from bash's microsecond clock (GNU time's %e has 10 ms steps, 5% of a run here).
    local label=$1; shift
    local start=$EPOCHREALTIME
    "${PREFIX[@]}" "$TIME" -f '%M %U %S' -o "$LIST.time" "$@" > /dev/null 2> /dev/null || true
    local end=$EPOCHREALTIME
    local secs
    secs=$(echo "(${end/./} - ${start/./}) / 1000000" | bc -l)
    # The last line: GNU time writes "Command exited with non-zero status N" first when it did.
    read -r kb user sys < <(tail -1 "$LIST.time")
    echo "$secs $kb $user $sys" > "$LIST.time"
    printf '%-8s %6.3f s wall %6.2f s cpu %8d KB\n' "$label" "$secs" "$(echo "$user + $sys" | bc)" "$kb"
}

# Once before measuring: the launcher builds the jar and records its cache when they are stale.
"${OURS[@]}" symbols --style=objdump "${FILES[0]}" > /dev/null 2>&1 || true
OURS_T=(); THEIRS_T=(); OURS_C=(); THEIRS_C=(); MAXRSS=0; THEIRS_MAXRSS=0
for i in $(seq 1 "$RUNS"); do
    run "ours" "${OURS[@]}" symbols --style=objdump "${FILES[@]}"
    read -r s kb u y < "$LIST.time"
    OURS_T+=("$s"); OURS_C+=("$(echo "$u + $y" | bc)"); [ "$kb" -gt "$MAXRSS" ] && MAXRSS=$kb
    run "objdump" objdump -T "${FILES[@]}"
    read -r s kb u y < "$LIST.time"
    THEIRS_T+=("$s"); THEIRS_C+=("$(echo "$u + $y" | bc)"); [ "$kb" -gt "$THEIRS_MAXRSS" ] && THEIRS_MAXRSS=$kb
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
M_OURS=$(median "${OURS_T[@]}")
M_THEIRS=$(median "${THEIRS_T[@]}")
printf 'median:  ours %.3f s, objdump %.3f s\n' "$M_OURS" "$M_THEIRS"
awk -v a="$M_OURS" -v b="$M_THEIRS" 'BEGIN { printf "ratio:   %.2f (ours / objdump; goal <= 1.00)\n", a / b }'
C_OURS=$(median "${OURS_C[@]}")
C_THEIRS=$(median "${THEIRS_C[@]}")
awk -v a="$C_OURS" -v b="$C_THEIRS" 'BEGIN { printf "cpu:     median user+sys ours %.2f s, objdump %.2f s, ratio %.2f (less noisy than wall on a busy machine)\n", a, b, a / b }'
echo "max RSS: ours $((MAXRSS / 1024)) MB (goal <= 128 MB), objdump $((THEIRS_MAXRSS / 1024)) MB"
