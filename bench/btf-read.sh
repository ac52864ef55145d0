#!/usr/bin/env bash
# How long reading the running kernel's BTF takes: RUNS fresh JVMs each read /sys/kernel/btf/vmlinux
# (or FILE) once, as the vvar decoder does on start (file, checked parse, first search by name,
# a member and an enum), and the last one reads it ROUNDS more times for the warm figure.
# Prints every run's line of bench/BtfRead.java and the medians of the cold runs.
# Usage: bench/btf-read.sh [RUNS] [FILE]   (default 9 runs, /sys/kernel/btf/vmlinux)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
RUNS=${1:-9}
FILE=${2:-/sys/kernel/btf/vmlinux}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -r "$FILE" ] || { echo "no $FILE to read (a kernel without CONFIG_DEBUG_INFO_BTF?)" >&2; exit 2; }
mvn -q -o compile >&2
# Compiled once, so that the source launcher's compile is not in any run.
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
"$JAVA_HOME/bin/javac" -d "$classes" -cp target/classes bench/BtfRead.java
out=$(mktemp)
for ((i = 1; i <= RUNS; i++)); do
    rounds=0
    ((i == RUNS)) && rounds=20
    "$JAVA_HOME/bin/java" -cp "$classes:target/classes" BtfRead "$FILE" "$rounds" | tee -a "$out"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
file=$(grep '^first' "$out" | awk '{ print $5 }' | median)
parse=$(grep '^first' "$out" | awk '{ print $8 }' | median)
index=$(grep '^first' "$out" | awk '{ print $11 }' | median)
echo "medians of $RUNS cold runs: file $file ms, parse $parse ms, index+find $index ms"
