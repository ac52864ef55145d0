#!/usr/bin/env bash
# vdsoscope ldd (one invocation over every ELF executable in /usr/bin) against ldd run on each file,
# and against pax-utils' lddtree on the same list. Runs each RUNS times, interleaved, and prints every
# run's wall time (from bash's microsecond clock), CPU time and peak RSS (GNU time), then the medians
# and the ratios of the medians.
# Usage: bench/ldd-vs-ldd.sh [DIR[:DIR...]] [RUNS]   (default /usr/bin, 5; build first: mvn -o package -DskipTests)
# LDD_OPTIONS (e.g. -r) are given to both sides; lddtree, which has no such options, is then left out.
# bench/ldd-r-vs-ldd-r.sh is this with -r over /usr/bin and /usr/lib/x86_64-linux-gnu.
# (No real-time priority option, unlike bench/symbols-vs-objdump.sh: ldd over the list runs for
# seconds, and the kernel's real-time throttling then slows it by 10 to 15%, measured.)
set -euo pipefail
# Wall times come from $EPOCHREALTIME (bash 5), whose decimal point follows the locale.
export LC_ALL=C
[ -n "${EPOCHREALTIME:-}" ] || { echo "needs bash 5 or newer (\$EPOCHREALTIME)" >&2; exit 2; }
cd "$(dirname "$0")/.."
dirs=${1:-/usr/bin}
runs=${2:-5}
read -r -a options <<< "${LDD_OPTIONS:-}"
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
jar=cli/target/vdsoscope.jar
[ -f "$jar" ] || { echo "build first: mvn -o package -DskipTests" >&2; exit 4; }
list=$(mktemp)
trap 'rm -f "$list" "$list".*' EXIT
IFS=: read -r -a dir_list <<< "$dirs"
for dir in "${dir_list[@]}"; do
  for f in "$dir"/*; do
    [ -f "$f" ] && [ ! -L "$f" ] && [ "$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"
  done
done > "$list"
count=$(wc -l < "$list")

measure() { # label, command...: one run; prints it and appends "wall cpu kib" to $list.$label
  local label=$1; shift
  local start=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$list.time" "$@" > /dev/null 2>&1 || true
  local end=$EPOCHREALTIME
  read -r kib user sys < <(tail -1 "$list.time")
  local wall cpu
  wall=$(echo "(${end/./} - ${start/./}) / 1000000" | bc -l)
  cpu=$(echo "$user + $sys" | bc)
  printf '%-12s wall %7.3f s   cpu %7.2f s   peak RSS %6.1f MiB\n' "$label" "$wall" "$cpu" "$(echo "$kib / 1024" | bc -l)"
  echo "$wall $cpu $kib" >> "$list.$label"
}
median() { # label column: the median of that column over the runs
  awk -v c="$2" '{print $c}' "$list.$1" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'
}
ratio() { # label-a label-b: how many times slower a is than b, medians of wall and CPU time
  echo "$1/$2: wall $(echo "scale=1; $(median "$1" 1) / $(median "$2" 1)" | bc)x, cpu $(echo "scale=1; $(median "$1" 2) / $(median "$2" 2)" | bc)x"
}

echo "$count ELF files in ${dirs//:/ and }, ldd ${options[*]:-without options}"
for dir in "${dir_list[@]}"; do
  if [ /usr/sbin -ef "$dir" ]; then
    echo "note: /usr/sbin is $dir here, so both start-up caches were trained on the list measured"
  fi
done
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, kernel $(uname -r), $("$java" -version 2>&1 | head -1)"
# Two ways of starting vdsoscope, both measured:
#  - the launcher, ./vdsoscope, as users run it (C1 only, compiling after 100 calls, and the start-up
#    cache of the batch lines, trained on them over the vDSO fixtures, libc, /bin/sh and /usr/sbin);
#  - a JVM given what a packaged ldd tool would ship: C1 only (default thresholds) and a start-up
#    cache of its own (an AOT cache on JDK 25+, else a class-data archive), trained on `ldd` alone
#    over the ELF programs of /usr/sbin. Neither is trained on the list measured.
training=$(for f in /usr/sbin/*; do
  [ -f "$f" ] && [ ! -L "$f" ] && [ "$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"
done)
jvm=("$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms48m -XX:PretenureSizeThreshold=256k -XX:-UsePerfData
  -XX:TieredStopAtLevel=1 -Xlog:disable)
source scripts/lib/jdk.sh
read_jdk "${java%/bin/java}" || { echo "no JDK 22 or newer at ${java%/bin/java}" >&2; exit 4; }
# (A cache of its own per option set: -r loads and runs classes that plain ldd never touches.)
suffix=$(printf '%s' ${options[@]+"${options[@]}"} | tr -c 'a-zA-Z0-9' '-')
if ((JDK_MAJOR >= 25)); then
  cache=cli/target/vdsoscope-ldd$suffix.aot
  if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then # a cache is only good for the jar it was made from
    rm -f "$cache"
    "${jvm[@]}" -XX:AOTCacheOutput="$cache" -jar "$jar" ldd --style=ldd ${options[@]+"${options[@]}"} $training \
        > /dev/null 2>&1 || true
  fi
  jvm+=(-XX:AOTCache="$cache" -jar "$jar")
else
  cache=cli/target/vdsoscope-ldd$suffix.jsa
  [ -f "$cache" ] && [ "$jar" -nt "$cache" ] && rm -f "$cache"
  jvm+=(-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="$cache" -jar "$jar")
  "${jvm[@]}" ldd --style=ldd ${options[@]+"${options[@]}"} $training > /dev/null 2>&1 || true
fi
./vdsoscope ldd --style=ldd /bin/true > /dev/null 2>&1 || true # builds and records the launcher's cache if needed
have_lddtree=0
command -v lddtree > /dev/null && ((${#options[@]} == 0)) && have_lddtree=1
for run in $(seq 1 "$runs"); do
  echo "run $run"
  measure launcher ./vdsoscope ldd --style=ldd ${options[@]+"${options[@]}"} $(cat "$list")
  measure vdsoscope "${jvm[@]}" ldd --style=ldd ${options[@]+"${options[@]}"} $(cat "$list")
  measure ldd-each bash -c 'list=$1; shift; while read -r f; do ldd "$@" "$f"; done < "$list"' _ "$list" \
      ${options[@]+"${options[@]}"}
  if ((have_lddtree)); then
    # The distribution's python has pyelftools; a python3 earlier on PATH may not.
    measure lddtree /usr/bin/python3 "$(command -v lddtree)" $(cat "$list")
  fi
done
for label in launcher vdsoscope ldd-each lddtree; do
  [ -f "$list.$label" ] && printf 'median %-12s wall %7.3f s   cpu %7.2f s   peak RSS %6.1f MiB (largest)\n' "$label" \
      "$(median "$label" 1)" "$(median "$label" 2)" "$(awk 'm < $3 {m = $3} END {print m / 1024}' "$list.$label")"
done
ratio ldd-each launcher
ratio ldd-each vdsoscope
((have_lddtree)) && ratio lddtree launcher
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
