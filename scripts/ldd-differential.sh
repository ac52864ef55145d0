#!/usr/bin/env bash
# Full differential sweep: every ELF file in /usr/bin, /usr/sbin, /usr/lib/x86_64-linux-gnu,
# /usr/lib/jvm and /usr/lib32, given to vdsoscope's loader model and to the real ldd:
#   - the list of libraries (LddDifferentialTest, core/target/ldd-differential.txt);
#   - ldd's whole output and exit status for each option set in LDD_MODES (comma-separated,
#     default ",-v,-r,-d": plain, -v, -r and -d; LddOutputSweepTest, cli/target/ldd-output-sweep.txt).
# Prints the agreement and every difference.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -o test -Dtest=LddDifferentialTest,LddOutputSweepTest -Dsurefire.failIfNoSpecifiedTests=false -Dldd.sample=0 \
    "-Dldd.modes=${LDD_MODES:-,-v,-r,-d}" -Dsurefire.printSummary=true | grep -v '^WARNING' || true
cat core/target/ldd-differential.txt cli/target/ldd-output-sweep.txt
