#!/usr/bin/env bash
# vdsoscope ldd -r (one invocation over every ELF file in /usr/bin and /usr/lib/x86_64-linux-gnu)
# against ldd -r run on each file: interleaved runs, medians and their ratios, peak RSS.
# Usage: bench/ldd-r-vs-ldd-r.sh [RUNS]   (default 3; each run of ldd -r takes some seconds per thousand files)
set -euo pipefail
LDD_OPTIONS=-r exec "$(dirname "$0")/ldd-vs-ldd.sh" /usr/bin:/usr/lib/x86_64-linux-gnu "${1:-3}"
