#!/usr/bin/env bash
# Start-up of the Debian package's vdsoscope against ./vdsoscope: the same command line run by the
# package's usr/bin/vdsoscope (unpacked with dpkg-deb -x into a scratch directory: the same files an
# install writes, on its bundled jlink runtime and its AOT caches) and by the launcher of this tree
# (the JDK's full runtime, its caches in cli/target/), in turn, RUNS times each after one warm-up.
# Not a test: prints each pair's wall times (bash's clock, the whole process) and their ratio, then
# the medians and the median of the pair ratios (packaged / launcher; the goal is <= 1.00). Pairs
# keep the ratio fair when the machine's load drifts during the run.
#
# Usage: bench/deb-vs-launcher.sh DEB [RUNS [COMMAND ARG...]]
#   (default: 21 runs of `symbols /bin/ls`; build DEB with scripts/build-deb)
set -euo pipefail
export LC_ALL=C # (the decimal point of $EPOCHREALTIME follows the locale)
[[ $# -ge 1 && -f $1 ]] || { echo "usage: bench/deb-vs-launcher.sh DEB [RUNS [COMMAND ARG...]]" >&2; exit 2; }
deb=$(realpath -- "$1")
runs=${2:-21}
shift $(($# >= 2 ? 2 : 1))
line=("$@")
((${#line[@]} > 0)) || line=(symbols /bin/ls)
cd "$(dirname -- "$0")/.."

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
packaged=("$root/usr/bin/vdsoscope")
launcher=(./vdsoscope)

# Seconds of wall time one run of "$@" took, its output thrown away.
wall() {
    local start=$EPOCHREALTIME
    "$@" >/dev/null 2>&1 </dev/null || true
    local end=$EPOCHREALTIME
    echo "$(((${end/./} - ${start/./})))e-6"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "line:    vdsoscope ${line[*]}"
wall "${packaged[@]}" "${line[@]}" >/dev/null # warm-up: ./vdsoscope builds and records its cache here if stale
wall "${launcher[@]}" "${line[@]}" >/dev/null
results=()
for ((i = 1; i <= runs; i++)); do
    a=$(wall "${packaged[@]}" "${line[@]}")
    b=$(wall "${launcher[@]}" "${line[@]}")
    results+=("$a $b")
    awk -v a="$a" -v b="$b" 'BEGIN { printf "pair:    packaged %.3f s, launcher %.3f s, ratio %.2f\n", a, b, a / b }'
done
printf '%s\n' "${results[@]}" | awk '
    { p[NR] = $1; l[NR] = $2; r[NR] = $1 / $2 }
    function median(v, n,   i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    END { printf "median:  packaged %.3f s, launcher %.3f s; median pair ratio %.2f (packaged / launcher)\n",
        median(p, NR), median(l, NR), median(r, NR) }'
