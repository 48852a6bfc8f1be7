# Sourced by ./mvnw, ./junction and .ci/run: make JAVA_HOME point at a JDK 21 or newer.
# Order: $JAVA_HOME if it is 21+, the `java` on PATH if it is 21+, else the newest /usr/lib/jvm/*.
_jn_major() { "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'; }
_jn_ok() { [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(_jn_major "$1/bin/java")" -ge 21 ] 2>/dev/null; }
if [ -n "${JAVA_HOME:-}" ] && _jn_ok "$JAVA_HOME"; then
  :
else
  _jn_found=""
  _jn_path_java=$(command -v java 2>/dev/null || true)
  if [ -n "$_jn_path_java" ]; then
    _jn_home=$(dirname "$(dirname "$(readlink -f "$_jn_path_java")")")
    _jn_ok "$_jn_home" && _jn_found="$_jn_home"
  fi
  if [ -z "$_jn_found" ]; then
    for _jn_home in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
      _jn_home=${_jn_home%/}
      if _jn_ok "$_jn_home"; then _jn_found="$_jn_home"; break; fi
    done
  fi
  if [ -z "$_jn_found" ]; then
    echo "Junction needs a JDK 21 or newer: set JAVA_HOME, or install one under /usr/lib/jvm." >&2
    exit 1
  fi
  export JAVA_HOME="$_jn_found"
fi
unset -f _jn_major _jn_ok
