# Finds a JDK >= 22 for ./vdsoscope and ./run-tests, and sets Maven up to use it. Sourced, not run.
# Pure bash, with no 'java -version', so that the launcher's start-up stays short.

readonly JDK_MIN_MAJOR=22
# The release the project is built and measured with; preferred even over a newer one.
readonly JDK_PREFERRED_MAJOR=25

# Reads the JDK at $1: sets JDK_VERSION ("25.0.3") and JDK_MAJOR (25) from its release file.
# Fails when $1 is no JDK (no java and javac) or is older than JDK_MIN_MAJOR.
read_jdk() {
    local home=$1 line pattern='^JAVA_VERSION="((1\.)?([0-9]+)[^"]*)"'
    [[ -x $home/bin/java && -x $home/bin/javac && -r $home/release ]] || return 1
    while IFS= read -r line; do
        if [[ $line =~ $pattern ]]; then
            JDK_VERSION=${BASH_REMATCH[1]}
            JDK_MAJOR=${BASH_REMATCH[3]}
            ((JDK_MAJOR >= JDK_MIN_MAJOR))
            return
        fi
    done <"$home/release"
    return 1
}

# Picks the best JDK among the directories given: the preferred release, else the newest.
pick_jdk() {
    local home best_home= best_rank=0 rank
    for home in "$@"; do
        read_jdk "$home" || continue
        rank=$JDK_MAJOR
        ((JDK_MAJOR == JDK_PREFERRED_MAJOR)) && rank=1000
        if ((rank > best_rank)); then
            best_home=$home best_rank=$rank
        fi
    done
    [[ -n $best_home ]] && read_jdk "$best_home" && JDK_HOME=$best_home
}

# The jdkHome entries of Maven's toolchains file, one per line.
toolchain_jdk_homes() {
    local file=${HOME:-}/.m2/toolchains.xml content
    local pattern='<jdkHome>[[:space:]]*([^<[:space:]]+)[[:space:]]*</jdkHome>(.*)'
    [[ -r $file ]] || return 0
    content=$(<"$file")
    while [[ $content =~ $pattern ]]; do
        printf '%s\n' "${BASH_REMATCH[1]}"
        content=${BASH_REMATCH[2]}
    done
}

# Sets JDK_HOME, JDK_VERSION and JDK_MAJOR: $JAVA_HOME if it is recent enough, else the best JDK
# under /usr/lib/jvm, else the best one in ~/.m2/toolchains.xml. Fails when there is none.
find_jdk() {
    if [[ -n ${JAVA_HOME:-} ]] && read_jdk "$JAVA_HOME"; then
        JDK_HOME=$JAVA_HOME
        return
    fi
    local homes=(/usr/lib/jvm/*)
    pick_jdk "${homes[@]}" && return
    mapfile -t homes < <(toolchain_jdk_homes)
    pick_jdk "${homes[@]}"
}

# find_jdk, or the one-line error and exit 4 (missing environment). $1 names the caller.
require_jdk() {
    find_jdk && return
    echo "$1: no JDK $JDK_MIN_MAJOR or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, ~/.m2/toolchains.xml)" >&2
    exit 4
}

# Points Maven at JDK_HOME. On JDK 23+ Maven's own Guava calls sun.misc.Unsafe, which prints
# warnings unless allowed; older JDKs reject the option, so it is given only where it exists.
use_jdk_for_maven() {
    export JAVA_HOME=$JDK_HOME
    if ((JDK_MAJOR >= 23)) && [[ ${MAVEN_OPTS:-} != *--sun-misc-unsafe-memory-access* ]]; then
        export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
    fi
}

# Maven, or the one-line error and exit 4. $1 names the caller.
require_maven() {
    command -v mvn >/dev/null && return
    echo "$1: Maven (mvn) not found; install it (Debian: apt-get install maven)" >&2
    exit 4
}
