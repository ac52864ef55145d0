#!/usr/bin/env bash
# Full differential sweep: every ELF file in /usr/bin, /usr/sbin, /usr/lib/x86_64-linux-gnu and
# /usr/lib/jvm, resolved by vdsoscope's loader model and by the real ldd; prints the agreement and
# every difference (also written to target/ldd-differential.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -o test -Dtest=LddDifferentialTest -Dsurefire.failIfNoSpecifiedTests=false -Dldd.sample=0 \
    -Dsurefire.printSummary=true | grep -v '^WARNING' || true
cat target/ldd-differential.txt
