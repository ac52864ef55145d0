# The JVM's command line for one vdsoscope command line, shared by ./vdsoscope and the Debian
# package's launcher (scripts/build-deb installs this file beside it). Sourced with no arguments, so
# that it reads the command line from the launcher's own positional parameters, after the build's
# launcher-facts (batch_lines, quick_commands). Pure bash: no process is started. Sets
#   jvm_options       the options of every run (the caller adds its log options)
#   compiler_options  C1 alone for the quick commands, else nothing
#   cache_name        the start-up cache this line uses: vdsoscope, or vdsoscope-COMMAND for a batch line
#   training          StartupTraining's arguments that record that cache (before the files)
#   decoded           233 when the locale decodes UTF-8; otherwise LC_ALL=C.UTF-8 is exported
# and defines use_batch_cache and training_files, for whoever records the caches.

# Serial GC: this collector starts fastest and keeps the least memory. With a 48 MB initial heap, and
# arrays of 256 KB or more (a large library's copied tables, a large block of output) placed in the
# old generation at once, a batch over a thousand files collects once or not at all: with 16 MB and
# no such threshold, 883 libraries through `symbols --style=objdump` collected 16 times, each time
# copying the large arrays then in use, 20 ms of a 0.22 s run (measured). The price: the larger young
# generation is filled before it is collected, 6 to 9 MB more at the peak than with -Xms16m. The
# maximum stays the JDK's default, so a big input never meets an OutOfMemoryError sooner than it
# would anyway. No perf data file in /tmp. JVM log lines go to stderr, never into the output
# on stdout, and the start-up cache says nothing: a stale or broken one is just not used.
jvm_options=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms48m -XX:PretenureSizeThreshold=256k
    -XX:-UsePerfData)

# The commands that read files or /proc are over in well under a second, before the optimizing
# compiler (C2) pays for itself: they run with C1 alone, which halves their JIT cost (measured: 0.69 s
# of CPU down to 0.42 s for symbols --style=objdump over 883 libraries). The report, doctor and
# bench time calls against C, so they keep C2; so does anything not recognised. (The start-up cache
# is recorded with both compilers, for every command.)
compiler_options=()
# (Here and below, the arguments are never expanded whole but where they are passed on: with a few
# thousand file names, each expansion costs about a millisecond.)
for ((i = 1; i <= $#; i++)); do
    arg=${!i}
    case $arg in
    -*) ;;
    *) [[ $quick_commands != *" $arg "* ]] && break
        compiler_options=(-XX:TieredStopAtLevel=1)
        if [[ $arg == ldd ]]; then
            # ldd's batch runs code once per program that C1 compiles after 200 calls; compiled after
            # 100, 529 programs of /usr/bin take 6 to 10 ms less of 160 (measured; the other
            # commands gained nothing).
            compiler_options+=(-XX:Tier3InvocationThreshold=100 -XX:Tier3MinInvocationThreshold=50
                -XX:Tier3CompileThreshold=1000)
        fi
        break
        ;;
    esac
done
# The two batch lines raced against objdump and ldd (`symbols --style=objdump FILE...` and
# `ldd --style=ldd FILE...`, with no other option: Main's fast paths, which skip picocli) get a
# start-up cache each (vdsoscope-symbols, vdsoscope-ldd), trained on that line alone; every other line gets the cache of all the
# commands, whose classes take some 20 ms longer to load. (Only a hint: a line sent to the wrong
# cache runs the same, a little slower, as one naming a file with the separator below in it may.)
cache_name=vdsoscope training=()

# use_batch_cache COMMAND: the cache of the batch line of COMMAND, and how it is trained.
use_batch_cache() {
    cache_name=vdsoscope-$1 training=(--batch "$1")
}

# training_files TREE: sets files to what a cache is recorded over: the vDSO fixtures of the source
# TREE, libc and /bin/sh, and for a batch cache also every file in /usr/sbin: a batch over a whole
# directory meets RUNPATHs, scripts and links, and each path the training missed would load and
# spin its classes at run time.
training_files() {
    files=("$1"/test-fixtures/vdso/*.so)
    local file
    for file in /usr/lib/x86_64-linux-gnu/libc.so.6 /bin/sh; do
        [[ -f $file ]] && files+=("$file")
    done
    if [[ ${training[0]-} == --batch ]]; then
        files+=(/usr/sbin/*) # (where /usr/sbin is /usr/bin, as on Arch and Fedora 42, that is /usr/bin)
    fi
}

batch_style=
for line in "${batch_lines[@]}"; do
    [[ ${1-} == "${line%%=*}" ]] && batch_style=${line#*=}
done
if [[ -n $batch_style ]]; then
    # On the arguments joined by a separator, in C: take the style out once; then no option, no
    # @argfile and no empty argument may remain, and at least one file.
    sep=$'\x1f' saved_ifs=$IFS
    IFS=$sep line="$sep${*:2}$sep" IFS=$saved_ifs
    case $line in
    *"$sep--style=$batch_style$sep"*) line=${line/"$sep--style=$batch_style$sep"/$sep} ;;
    *"$sep--style$sep$batch_style$sep"*) line=${line/"$sep--style$sep$batch_style$sep"/$sep} ;;
    *) line=$sep ;;
    esac
    if [[ $line != "$sep" && $line != *"$sep"[-@]* && $line != *"$sep$sep"* ]]; then
        use_batch_cache "$1"
    fi
    unset line
fi

# The JVM decodes arguments and file names in the locale's character set; under the POSIX locale
# (a container's default) that is ASCII, and a file named in UTF-8 could not even be opened.
# File names are UTF-8 by convention, so the JVM always gets a locale that really decodes UTF-8:
# the name of one is not enough (LC_CTYPE=UTF-8 from a Mac, or an en_US.UTF-8 not installed), so
# bash is asked what it makes of "é" (233 under a working UTF-8 locale, 195 otherwise).
printf -v decoded %d "'"$'\xc3\xa9'
if ((decoded != 233)); then
    export LC_ALL=C.UTF-8
fi
