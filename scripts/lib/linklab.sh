# Sourced by scripts/link-lab and scripts/syscalls-et-vs-lt --link (and meant for bench-compare):
# a link of its own between two network namespaces, the server's and the load's, joined by one veth
# pair, with a chosen MTU, a tbf rate limit on each direction and segmentation offloads on or off.
#
#   linklab_set KEY VALUE     one knob: mtu (68..65535, e.g. 1500, 9000; 65536 means veth's maximum,
#                             65535, loopback's being 65536), rate, rate-out (server
#                             to load), rate-in (load to server): e.g. 100mbit, 1gbit, none; offloads on|off
#   linklab_spec SPEC         the knobs as one string: mtu=1500,rate=1gbit,offloads=on
#   linklab_why_not           prints why this machine cannot make the link (root, ip, tc, ethtool); 1 if it can
#   linklab_up                cleans stale links, makes this one, installs the teardown trap
#   linklab_exec srv|load CMD runs CMD inside that namespace
#   linklab_down              ends every process inside both namespaces and deletes them (idempotent)
#   linklab_cleanup_stale     deletes the namespaces of link-lab runs whose process is gone
#   linklab_describe          one line: the link as made (for a table's header)
# After linklab_up: LINKLAB_SRV_NS, LINKLAB_LOAD_NS (namespace names), LINKLAB_SRV_ADDR and
# LINKLAB_LOAD_ADDR (the two ends' addresses), LINKLAB_SRV_DEV, LINKLAB_LOAD_DEV (their devices).
#
# Names: every namespace is eplab-<pid>-srv or eplab-<pid>-load, <pid> the shell that made it, so
# two runs never share one, a run killed before its trap ran (SIGKILL) leaves names that say whose
# they were, and the next run's linklab_up removes those whose <pid> is gone. The veth pair is made
# directly inside the two namespaces (never in the host's), so deleting them deletes it.
# Addresses: 169.254.123.1/30 (server) and .2/30 (load), link-local, only on that pair; neither
# namespace has a route to anything else. Bounded: two namespaces per run, each command under a timeout.

LINKLAB_PREFIX=eplab
LINKLAB_MTU=1500 LINKLAB_RATE_OUT=none LINKLAB_RATE_IN=none LINKLAB_OFFLOADS=on
LINKLAB_SRV_ADDR=169.254.123.1 LINKLAB_LOAD_ADDR=169.254.123.2
LINKLAB_SRV_NS= LINKLAB_LOAD_NS= LINKLAB_SRV_DEV= LINKLAB_LOAD_DEV=

_linklab_die() { echo "$(basename "$0"): $*" >&2; exit 2; }

_linklab_rate() {  # none, or a number with kbit/mbit/gbit: tc's own spelling
  [[ $1 == none || $1 =~ ^[1-9][0-9]*(kbit|mbit|gbit)$ ]] || _linklab_die "bad rate '$1' (none, or e.g. 100mbit, 1gbit)"
}

linklab_set() {
  case $1 in
    mtu) [[ $2 =~ ^[1-9][0-9]*$ ]] && (($2 >= 68 && $2 <= 65536)) || _linklab_die "bad mtu '$2' (68..65536; e.g. 1500, 9000, 65536)"
         LINKLAB_MTU=$(($2 == 65536 ? 65535 : $2)) ;;  # veth's largest; loopback's 65536 is one more
    rate) _linklab_rate "$2"; LINKLAB_RATE_OUT=$2 LINKLAB_RATE_IN=$2 ;;
    rate-out) _linklab_rate "$2"; LINKLAB_RATE_OUT=$2 ;;
    rate-in) _linklab_rate "$2"; LINKLAB_RATE_IN=$2 ;;
    offloads) [[ $2 == on || $2 == off ]] || _linklab_die "bad offloads '$2' (on or off)"; LINKLAB_OFFLOADS=$2 ;;
    *) _linklab_die "unknown link knob '$1' (mtu, rate, rate-out, rate-in, offloads)" ;;
  esac
}

linklab_spec() {
  local kv
  local IFS=,
  for kv in $1; do
    [[ $kv == *=* ]] || _linklab_die "bad link spec '$kv' (KEY=VALUE, e.g. mtu=1500,rate=1gbit,offloads=on)"
    linklab_set "${kv%%=*}" "${kv#*=}"
  done
}

linklab_why_not() {
  [[ $(id -u) == 0 ]] || { echo "needs root (network namespaces, veth, tc)"; return 0; }
  local t
  for t in ip tc ethtool; do
    command -v "$t" >/dev/null 2>&1 || [[ -x /usr/sbin/$t || -x /sbin/$t ]] || { echo "needs $t (scripts/prereqs installs it)"; return 0; }
  done
  return 1
}

linklab_describe() {
  echo "veth ${LINKLAB_SRV_ADDR} (server) <-> ${LINKLAB_LOAD_ADDR} (load): mtu=${LINKLAB_MTU} rate server->load=${LINKLAB_RATE_OUT} load->server=${LINKLAB_RATE_IN} offloads(tso,gso,gro)=${LINKLAB_OFFLOADS}"
}

_linklab_ip() { timeout 10 ip "$@"; }

# Ends the processes inside namespace $1 (they are ours: nothing else enters it), then deletes it.
_linklab_delete_ns() {
  local ns=$1 pids
  pids=$(timeout 10 ip netns pids "$ns" 2>/dev/null || true)
  if [[ -n $pids ]]; then
    kill -TERM $pids 2>/dev/null || true
    local i
    for i in $(seq 50); do
      pids=$(timeout 10 ip netns pids "$ns" 2>/dev/null || true)
      [[ -z $pids ]] && break
      sleep 0.1
    done
    [[ -n $pids ]] && kill -KILL $pids 2>/dev/null || true
  fi
  _linklab_ip netns del "$ns" 2>/dev/null || true
}

linklab_cleanup_stale() {
  local ns pid
  for ns in $(timeout 10 ip netns list 2>/dev/null | awk '{print $1}'); do
    [[ $ns =~ ^${LINKLAB_PREFIX}-([0-9]+)-(srv|load)$ ]] || continue
    pid=${BASH_REMATCH[1]}
    [[ $pid == "$$" ]] && continue
    kill -0 "$pid" 2>/dev/null && continue  # that run is alive: its own trap will clean
    echo "$(basename "$0"): removing stale namespace $ns (its run, pid $pid, is gone)" >&2
    _linklab_delete_ns "$ns"
  done
}

linklab_down() {
  [[ -n $LINKLAB_SRV_NS ]] && _linklab_delete_ns "$LINKLAB_SRV_NS"
  [[ -n $LINKLAB_LOAD_NS ]] && _linklab_delete_ns "$LINKLAB_LOAD_NS"
  LINKLAB_SRV_NS= LINKLAB_LOAD_NS=
}

_linklab_trap() {
  local status=$?
  trap - EXIT INT TERM HUP
  linklab_down
  exit "$status"
}

# tbf on one end's egress: burst covers one MTU-sized packet (or a 64 KiB GSO one) and 1 ms at the
# rate, whichever is larger; 20 ms of queue at the rate (at least 2 bursts) before tbf drops.
_linklab_tbf() {
  local ns=$1 dev=$2 rate=$3
  [[ $rate == none ]] && return 0
  local n=${rate%?bit} unit=${rate: -4} bps
  case $unit in kbit) bps=$((n * 1000)) ;; mbit) bps=$((n * 1000000)) ;; gbit) bps=$((n * 1000000000)) ;; esac
  local burst=$((bps / 8 / 1000)) limit
  ((burst < 65536 + 1514)) && burst=$((65536 + 1514))
  limit=$((bps / 8 / 50))
  ((limit < 2 * burst)) && limit=$((2 * burst))
  timeout 10 ip netns exec "$ns" tc qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" limit "$limit"
}

linklab_up() {
  local why
  why=$(linklab_why_not) && _linklab_die "cannot make the link: $why"
  linklab_cleanup_stale
  LINKLAB_SRV_NS=$LINKLAB_PREFIX-$$-srv LINKLAB_LOAD_NS=$LINKLAB_PREFIX-$$-load
  LINKLAB_SRV_DEV=${LINKLAB_PREFIX}$$s LINKLAB_LOAD_DEV=${LINKLAB_PREFIX}$$l
  trap _linklab_trap EXIT INT TERM HUP
  _linklab_ip netns add "$LINKLAB_SRV_NS"
  _linklab_ip netns add "$LINKLAB_LOAD_NS"
  _linklab_ip link add "$LINKLAB_SRV_DEV" netns "$LINKLAB_SRV_NS" type veth peer name "$LINKLAB_LOAD_DEV" netns "$LINKLAB_LOAD_NS"
  local side ns dev addr rate onoff
  onoff=$LINKLAB_OFFLOADS
  for side in srv load; do
    if [[ $side == srv ]]; then ns=$LINKLAB_SRV_NS dev=$LINKLAB_SRV_DEV addr=$LINKLAB_SRV_ADDR rate=$LINKLAB_RATE_OUT
    else ns=$LINKLAB_LOAD_NS dev=$LINKLAB_LOAD_DEV addr=$LINKLAB_LOAD_ADDR rate=$LINKLAB_RATE_IN; fi
    _linklab_ip -n "$ns" link set lo up
    _linklab_ip -n "$ns" link set "$dev" mtu "$LINKLAB_MTU"
    _linklab_ip -n "$ns" addr add "$addr/30" dev "$dev"
    timeout 10 ip netns exec "$ns" ethtool -K "$dev" tso "$onoff" gso "$onoff" gro "$onoff" >/dev/null
    _linklab_tbf "$ns" "$dev" "$rate"
    _linklab_ip -n "$ns" link set "$dev" up
  done
}

linklab_exec() {
  local ns
  case $1 in srv) ns=$LINKLAB_SRV_NS ;; load) ns=$LINKLAB_LOAD_NS ;; *) _linklab_die "linklab_exec srv|load CMD" ;; esac
  shift
  [[ -n $ns ]] || _linklab_die "linklab_exec before linklab_up"
  ip netns exec "$ns" "$@"
}
