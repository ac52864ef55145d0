#!/usr/bin/env bash
# Times `vdsoscope disasm FILE` against `objdump -d FILE` on the largest shared library of this
# machine's architecture under /usr/lib (libLLVM on a Debian with LLVM installed), output to /dev/null.
# Not a test. For each command, interleaved run by run, it reports the median of:
#   wall       the whole run (bash's microsecond clock)
#   cpu        user + system seconds (GNU time): steadier than wall on a shared machine
#   first      time to the first line of output: `CMD | head -1`, until head has its line
#   peak RSS   GNU time's maximum resident set size, the mapped input's pages included
# The goals (issue 19): first line within 1 s, peak RSS at most 256 MB, wall at most objdump's.
#
# vdsoscope runs through ./vdsoscope, the launcher users run (its JVM flags, its start-up cache).
# Usage: bench/disasm-vs-objdump.sh [RUNS] [FILE]   (default 3 runs; FILE: the largest library)
# Environment: JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64).
set -euo pipefail
export LC_ALL=C
[ -n "${EPOCHREALTIME:-}" ] || { echo "needs bash 5 or newer (\$EPOCHREALTIME)" >&2; exit 2; }
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
RUNS=${1:-3}
GNU_TIME=/usr/bin/time
[ -x "$GNU_TIME" ] || { echo "needs GNU time at $GNU_TIME (apt-get install time)" >&2; exit 2; }
command -v objdump >/dev/null || { echo "needs objdump (binutils)" >&2; exit 2; }

# The largest ELF shared library whose architecture is this machine's, as objdump -f names it.
largest_library() {
    local arch candidate
    arch=$(objdump -f /bin/sh | sed -n 's/^architecture: \([^,]*\),.*/\1/p')
    mapfile -t candidates < <(find /usr/lib /usr/lib64 /usr/local/lib -xdev -type f \( -name '*.so' -o -name '*.so.*' \) \
        -printf '%s %p\n' 2>/dev/null | sort -rn | cut -d' ' -f2-)
    for candidate in "${candidates[@]}"; do
        if objdump -f "$candidate" 2>/dev/null | grep -q "^architecture: $arch,"; then
            echo "$candidate"
            return
        fi
    done
}
FILE=${2:-$(largest_library)}
[ -n "$FILE" ] || { echo "no shared library found under /usr/lib" >&2; exit 2; }

OURS=(./vdsoscope disasm "$FILE")
THEIRS=(objdump -d "$FILE")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/^Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "file:    $FILE ($(( $(stat -c %s "$FILE") / 1048576 )) MB)"
echo "ours:    ${OURS[*]} ($(./vdsoscope --version 2>/dev/null | tr '\n' ' '))"
echo "theirs:  ${THEIRS[*]} ($(objdump --version | head -1))"

# The launcher builds the jar and records its start-up cache when they are stale: not in the figures.
./vdsoscope disasm /bin/true > /dev/null 2>&1 || true

seconds_since() { # start (an $EPOCHREALTIME): the seconds from then to now
    local now=$EPOCHREALTIME
    echo "(${now/./} - ${1/./}) / 1000000" | bc -l
}

measure() { # name, command...: appends "wall cpu first kb" to $TMP/name
    local name=$1 start wall first
    shift
    start=$EPOCHREALTIME
    "$GNU_TIME" -f '%M %U %S' -o "$TMP/time" "$@" > /dev/null 2>&1 || true
    wall=$(seconds_since "$start")
    read -r kb user sys < <(tail -1 "$TMP/time")
    start=$EPOCHREALTIME
    "$@" 2>/dev/null | { head -1 > /dev/null; seconds_since "$start" > "$TMP/first"; cat > /dev/null; } || true
    first=$(cat "$TMP/first")
    echo "$wall $(echo "$user + $sys" | bc) $first $kb" >> "$TMP/$name"
    printf '%-8s %7.2f s wall %7.2f s cpu %6.3f s to the first line %7d MB peak RSS\n' "$name" "$wall" \
        "$(echo "$user + $sys" | bc)" "$first" $((kb / 1024))
}

for _ in $(seq 1 "$RUNS"); do
    measure ours "${OURS[@]}"
    measure objdump "${THEIRS[@]}"
done

median() { # file, column
    awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}
for name in ours objdump; do
    printf 'median %-8s %7.2f s wall %7.2f s cpu %6.3f s to the first line %7d MB peak RSS\n' "$name" \
        "$(median "$TMP/$name" 1)" "$(median "$TMP/$name" 2)" "$(median "$TMP/$name" 3)" \
        $(( $(median "$TMP/$name" 4 | cut -d. -f1) / 1024 ))
done
awk -v a="$(median "$TMP/ours" 1)" -v b="$(median "$TMP/objdump" 1)" \
    'BEGIN { printf "ratio   %.2f (median wall, ours / objdump; goal <= 1.00)\n", a / b }'
