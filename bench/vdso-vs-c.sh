#!/usr/bin/env bash
# One run of the whole comparison: the C program (the physical limit) against JMH's measurement of
# the FFM call into the vDSO, then against `vdsoscope bench --json`, on the same machine in the same
# minute. Prints the ratios Java/C. Usage: bench/vdso-vs-c.sh [--quick] [OUTPUT_DIR]
#
# On a shared or virtual machine other work inflates averages; every figure is therefore given as
# the median and as the best (minimum) sample, and the ratios use the best, which is the cost of
# the call itself rather than of whatever preempted it.
set -euo pipefail

QUICK=0
if [[ "${1:-}" == "--quick" ]]; then QUICK=1; shift; fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/bench/target/results}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
export JAVA_HOME
mkdir -p "$OUT"

echo "== building" >&2
gcc -O2 -Wall -Wextra -o "$OUT/vdso_bench" "$ROOT/bench/c/vdso_bench.c"
# The library, the tool and the benchmarks in one reactor (the bench profile adds bench/ to it).
mvn -q -f "$ROOT/pom.xml" -P bench package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true >&2

echo "== C: vDSO, libc and syscall(2)" >&2
"$OUT/vdso_bench" > "$OUT/c.json"

echo "== JMH: VdsoCalls.clockGettimeNanos(CLOCK_MONOTONIC) and System.nanoTime" >&2
# Many 2-ms iterations, for the best one; then 1-s iterations under -prof gc for bytes per call.
if [[ $QUICK == 1 ]]; then SHORT=100; GC_ITER=3; else SHORT=300; GC_ITER=5; fi
"$JAVA" -jar "$ROOT/bench/target/benchmarks.jar" ClockGettimeBenchmark -f 1 -wi 5 -w 1s -i "$SHORT" -r 2ms \
    -rf json -rff "$OUT/jmh.json" > "$OUT/jmh.txt"
"$JAVA" -jar "$ROOT/bench/target/benchmarks.jar" ClockGettimeBenchmark -f 1 -wi 3 -i "$GC_ITER" -prof gc \
    -rf json -rff "$OUT/jmh-gc.json" > "$OUT/jmh-gc.txt"

echo "== vdsoscope bench --json" >&2
if [[ $QUICK == 1 ]]; then DURATION=0.3; else DURATION=1; fi
"$JAVA" --enable-native-access=ALL-UNNAMED -jar "$ROOT/cli/target/vdsoscope.jar" bench --duration "$DURATION" --json \
    --chart "$OUT/bench.svg" --force > "$OUT/vdsoscope-bench.json"

python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
c = json.load(open(f"{out}/c.json"))
jmh = json.load(open(f"{out}/jmh.json"))
jmh_gc = {b["benchmark"]: b for b in json.load(open(f"{out}/jmh-gc.json"))}
java = json.load(open(f"{out}/vdsoscope-bench.json"))

def c_case(function, clock, path):
    return next(r["nsPerCall"] for r in c if r["function"] == function and r["clock"] == clock and r["path"] == path)

def java_case(function, clock, path):
    row = next(r for r in java["results"] if r["function"] == function and r.get("clock") == clock)
    return row["paths"].get(path)

print("JMH vs C, clock_gettime(CLOCK_MONOTONIC) through the vDSO")
c_mono = c_case("clock_gettime", "CLOCK_MONOTONIC", "vdso")
for b in jmh:
    name = b["benchmark"].rsplit(".", 1)[1]
    iterations = [x for fork in b["primaryMetric"]["rawData"] for x in fork]
    alloc = jmh_gc[b["benchmark"]]["secondaryMetrics"]["gc.alloc.rate.norm"]["score"]
    best = min(iterations)
    iterations.sort()
    print(f"  {name:28s} median iteration {iterations[len(iterations) // 2]:7.2f} ns/op  best {best:7.2f} ns/op"
          f"  {alloc:.3f} B/op  best/C-best {best / c_mono['min']:.2f}x")
print(f"  {'C (vdso_bench)':28s} median {c_mono['median']:6.2f} ns/call  best sample {c_mono['min']:7.2f} ns/call")
print()
print("vdsoscope bench vs C (best samples, ns per call; goal: Java/C <= 1.25)")
print(f"  {'function':14s} {'clock':26s} {'path':8s} {'C':>8s} {'Java':>8s} {'Java/C':>7s}")
for r in c:
    j = java_case(r["function"], r["clock"], {"vdso": "vdso", "libc": "libc", "syscall": "syscall"}[r["path"]])
    if j is None:
        continue
    ratio = j["min"] / r["nsPerCall"]["min"]
    print(f"  {r['function']:14s} {r['clock'] or '':26s} {r['path']:8s} {r['nsPerCall']['min']:8.2f} {j['min']:8.2f} {ratio:7.2f}")
print()
print("vdsoscope bench, Markdown (median [first quartile, third quartile], ns per call)")
print()
paths = ["vdso", "libc", "syscall", "java"]
print("| function | " + " | ".join(paths) + " | vdso vs syscall |")
print("| --- | " + " | ".join("---:" for _ in paths) + " | ---: |")
for r in java["results"]:
    name = r["function"] + (f"({r['clock']})" if r["clock"] else "")
    cells = []
    for p in paths:
        v = r["paths"].get(p)
        cells.append("-" if v is None else f"{v['median']:.1f} [{v['q1']:.1f}, {v['q3']:.1f}]")
    speedup = r["speedupVdsoOverSyscall"]
    print(f"| {name} | " + " | ".join(cells) + f" | {'-' if speedup is None else f'{speedup:.1f}x'} |")
ctx = java["context"]
print()
print(f"CPU {ctx['cpuModel']} ({ctx['cpus']} CPUs), kernel {ctx['kernel']}, clocksource {ctx['clocksource']} "
      f"(available: {' '.join(ctx['availableClocksources'])}), virtual machine: "
      f"{'yes' if ctx['virtualization']['virtualMachine'] else 'no'}"
      f"{' (' + ctx['virtualization']['cpuidSignature'] + ')' if ctx['virtualization']['cpuidSignature'] else ''}, "
      f"meltdown: {ctx['vulnerabilities'].get('meltdown', 'unknown')}")
PY
echo "(raw results in $OUT)" >&2
