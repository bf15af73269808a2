# Sourced by the scripts that run an experiment of the lab module (package edgepoll.lab), which is not
# in edgepoll.jar: lab_build WHO builds server/target/edgepoll.jar and lab/target/lab.jar when either
# is missing or older than a source (WHO names the script in the message), then sets
#   jar     server/target/edgepoll.jar (the server alone, as users run it)
#   lab_cp  the class path of an experiment: both jars
# Needs $root (the repository) and scripts/mvn-env sourced.
lab_build() {
  jar="$root/server/target/edgepoll.jar"
  local lab="$root/lab/target/lab.jar" sources=("$root/pom.xml" "$root/native-bindings/pom.xml" "$root/native-bindings/src"
    "$root/server/pom.xml" "$root/server/src/main" "$root/server/src/launcher" "$root/lab/pom.xml" "$root/lab/src/main")
  if [[ ! -f "$jar" || ! -f "$lab" ]] || [[ -n "$(find "${sources[@]}" -newer "$jar" -print -quit)" ]] \
      || [[ -n "$(find "${sources[@]}" -newer "$lab" -print -quit)" ]]; then
    echo "$1: building $(basename "$jar") and $(basename "$lab") ..." >&2
    (cd "$root" && mvn -B -q -ntp -Dstyle.color=never -DskipTests -pl lab -am package) >&2
  fi
  lab_cp="$jar:$lab"
}
