#!/usr/bin/env bash
# vdsoscope ldd (one invocation over every ELF executable in /usr/bin) against ldd run on each file,
# and against pax-utils' lddtree on the same list. Prints wall times, the ratio and peak RSS.
# Usage: bench/ldd-vs-ldd.sh [DIR]   (build first: mvn -o package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/usr/bin}
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
jar=target/vdsoscope.jar
[ -f "$jar" ] || { echo "build first: mvn -o package -DskipTests" >&2; exit 4; }
list=$(mktemp)
trap 'rm -f "$list" "$list".*' EXIT
for f in "$dir"/*; do
  [ -f "$f" ] && [ ! -L "$f" ] && [ "$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"
done > "$list"
count=$(wc -l < "$list")

measure() { # label, command...: prints wall time, CPU time (user+sys) and peak RSS
  local label=$1; shift
  /usr/bin/time -f '%e %M %U %S' -o "$list.time" "$@" > /dev/null 2>&1 || true
  read -r seconds kib user sys < <(tail -1 "$list.time")
  local cpu
  cpu=$(echo "$user + $sys" | bc)
  printf '%-12s wall %7.2f s   cpu %7.2f s   peak RSS %6.1f MiB\n' "$label" "$seconds" "$cpu" \
      "$(echo "$kib / 1024" | bc -l)"
  echo "$seconds $cpu" > "$list.$label"
}
ratio() { # label-a label-b: how many times slower a is than b, in wall and CPU time
  read -r wa ca < "$list.$1"
  read -r wb cb < "$list.$2"
  echo "$1/$2: wall $(echo "scale=1; $wa / $wb" | bc)x, cpu $(echo "scale=1; $ca / $cb" | bc)x"
}

echo "$count ELF files in $dir"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores, kernel $(uname -r), $("$java" -version 2>&1 | head -1)"
# Two ways of starting vdsoscope, both measured:
#  - the launcher, ./vdsoscope, as users run it (C1 only, its AOT cache trained on all commands);
#  - a JVM given what a packaged ldd tool would ship: C1 only and a start-up cache of its own (an
#    AOT cache on JDK 25+, else a class-data archive), trained on a different workload (the ELF
#    programs of /usr/sbin), not on the list measured.
training=$(for f in /usr/sbin/*; do
  [ -f "$f" ] && [ ! -L "$f" ] && [ "$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] && echo "$f"
done)
jvm=("$java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms16m -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xlog:disable)
source scripts/lib/jdk.sh
read_jdk "${java%/bin/java}" || { echo "no JDK 22 or newer at ${java%/bin/java}" >&2; exit 4; }
if ((JDK_MAJOR >= 25)); then
  cache=target/vdsoscope-ldd.aot
  if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then # a cache is only good for the jar it was made from
    rm -f "$cache"
    "${jvm[@]}" -XX:AOTCacheOutput="$cache" -jar "$jar" ldd --style=ldd $training > /dev/null 2>&1 || true
  fi
  jvm+=(-XX:AOTCache="$cache" -jar "$jar")
else
  cache=target/vdsoscope-ldd.jsa
  [ -f "$cache" ] && [ "$jar" -nt "$cache" ] && rm -f "$cache"
  jvm+=(-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile="$cache" -jar "$jar")
  "${jvm[@]}" ldd --style=ldd $training > /dev/null 2>&1 || true
fi
./vdsoscope ldd --style=ldd /bin/true > /dev/null 2>&1 || true # builds and records the launcher's cache if needed
measure launcher ./vdsoscope ldd --style=ldd $(cat "$list")
measure vdsoscope "${jvm[@]}" ldd --style=ldd $(cat "$list")
measure ldd-each bash -c 'while read -r f; do ldd "$f"; done < "$1"' _ "$list"
if command -v lddtree > /dev/null; then
  # The distribution's python has pyelftools; a python3 earlier on PATH may not.
  measure lddtree /usr/bin/python3 "$(command -v lddtree)" $(cat "$list")
fi
ratio ldd-each launcher
ratio ldd-each vdsoscope
[ -f "$list.lddtree" ] && ratio lddtree launcher
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
