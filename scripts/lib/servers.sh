# Sourced by scripts/floor-compare, scripts/flame-graphs and scripts/user-split: how each of them
# starts a server of the comparison by name, one event loop, listening on an ephemeral port.
# server_cmd NAME sets the array cmd. It reads root (the repository), jvm (the java command and its
# flags), work (where cfloor was built) and, when set, the array c_prefix, put before the C floor's
# command (flame-graphs preloads its profiler that way).
server_cmd() {
  local c=("$work/cfloor" --port 0)
  [[ -n ${c_prefix+x} ]] && c=("${c_prefix[@]}" "${c[@]}")
  local ep=("${jvm[@]}" -jar "$root/server/target/edgepoll.jar" --port 0 --backlog 1024 --nodelay)
  case $1 in
    edgepoll-et) cmd=("${ep[@]}" --mode et) ;;
    edgepoll-et-short-read) cmd=("${ep[@]}" --mode et --drain short-read) ;;
    edgepoll-lt) cmd=("${ep[@]}" --mode lt) ;;
    c-et) cmd=("${c[@]}" --mode et --drain strict) ;;
    c-et-short-read) cmd=("${c[@]}" --mode et --drain short-read) ;;
    c-lt) cmd=("${c[@]}" --mode lt) ;;
    netty-et) cmd=("${jvm[@]}" --sun-misc-unsafe-memory-access=allow -cp "$root/bench/target/benchmarks.jar"
                   edgepoll.bench.peers.NettyServer --port 0 --protocol http --mode et) ;;
    *) echo "$(basename "$0"): unknown server $1" >&2; exit 2 ;;
  esac
}
