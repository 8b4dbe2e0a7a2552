# shellcheck shell=bash
# shellcheck disable=SC2034,SC2153  # the sourcing script reads SERVICES_DIR and defines NAME, PIDFILE, LOGFILE
# Shared helpers for the test-server scripts (kafka.sh, elasticsearch.sh, s3.sh). Sourced, not run.
#
# Layout under the cache (override the root with SLUICE_SERVICES_CACHE):
#   m2/            Maven local repository (Kafka jars, Elasticsearch zip)
#   go/, go-build/ Go module and build caches (the S3 server)
#   bin/           built Go binaries
#   kafka/<ver>/   Kafka broker class path
#   run/           PID files, logs and data of running servers (data is wiped on each start)

SERVICES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${SLUICE_SERVICES_CACHE:-$HOME/.cache/sluice-test-services}"
RUN_DIR="$CACHE_DIR/run"
HEALTH_TIMEOUT="${SLUICE_SERVICES_TIMEOUT:-120}"
mkdir -p "$RUN_DIR"

# A private instance (SLUICE_SERVICE_INSTANCE=name, with its own ports from the script's port
# variable) has its own pid file, log and data, so an outage test can stop and restart it without
# touching the shared server the other tests use (test/services/private-instance.ts drives this).
# SLUICE_SERVICE_KEEP_DATA=1 keeps the data of an earlier start: a restart, not a fresh server.
INSTANCE="${SLUICE_SERVICE_INSTANCE:-}"
[[ "$INSTANCE" =~ ^[A-Za-z0-9_-]*$ ]] || { echo "[services] bad SLUICE_SERVICE_INSTANCE '$INSTANCE'" >&2; exit 2; }
SUFFIX="${INSTANCE:+-$INSTANCE}"
KEEP_DATA="${SLUICE_SERVICE_KEEP_DATA:-0}"

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Prints the end of a server's log so a failed start explains itself in CI output.
print_log_tail() {
  local file="$1"
  if [[ -s "$file" ]]; then
    log "---- last 60 lines of $file ----"
    tail -n 60 "$file" >&2
    log "---- end of $file ----"
  else
    log "(no log output in $file)"
  fi
}

# True when the PID in the file belongs to a live process.
pid_alive() {
  local pidfile="$1" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Serialises up/down of one server so two test runs started together do not both launch it.
with_lock() {
  local name="$1"; shift
  exec 9>"$RUN_DIR/$name.lock"
  flock -w 300 9 || die "timed out waiting for the $name lock ($RUN_DIR/$name.lock)"
  "$@"
}

# wait_healthy NAME PIDFILE LOGFILE CHECK_FUNCTION: polls CHECK until it passes, the process dies,
# or HEALTH_TIMEOUT seconds pass; on failure prints the log tail and returns 1.
wait_healthy() {
  local name="$1" pidfile="$2" logfile="$3" check="$4" waited=0
  while ! "$check"; do
    if ! pid_alive "$pidfile"; then
      log "$name exited during start-up"
      print_log_tail "$logfile"
      return 1
    fi
    if (( waited >= HEALTH_TIMEOUT * 2 )); then
      log "$name did not become healthy within ${HEALTH_TIMEOUT}s"
      print_log_tail "$logfile"
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

# Sends SIGTERM, waits up to $2 seconds for a clean exit, then SIGKILL.
stop_pidfile() {
  local pidfile="$1" grace="${2:-30}" pid i
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid did not stop within ${grace}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# Common up/down/status dispatcher. The sourcing script defines NAME, PIDFILE, LOGFILE, and the
# functions is_healthy, install, start (launches in the background and writes PIDFILE), describe.
service_main() {
  local cmd="${1:-}"
  case "$cmd" in
    up) with_lock "$NAME$SUFFIX" service_up ;;
    down) with_lock "$NAME$SUFFIX" service_down ;;
    status) service_status ;;
    install) with_lock "$NAME" install ;;
    *) die "usage: $0 up|down|status|install" ;;
  esac
}

service_up() {
  if pid_alive "$PIDFILE"; then
    # Started earlier (by hand or by another test run): reuse it, waiting if it is still booting.
    if wait_healthy "$NAME" "$PIDFILE" "$LOGFILE" is_healthy; then
      log "$NAME already running (pid $(cat "$PIDFILE")): $(describe)"
      return 0
    fi
    pid_alive "$PIDFILE" && die "$NAME (pid $(cat "$PIDFILE")) is running but unhealthy; stop it with: $0 down"
    log "$NAME exited (stopped by someone else?); starting it again"
  fi
  if is_healthy; then
    log "$NAME already served by a process these scripts did not start; reusing it: $(describe)"
    return 0
  fi
  local t0=$SECONDS t1
  install
  t1=$SECONDS
  # 9>&-: the server must not inherit the lock's descriptor, or it would hold the lock while it runs.
  start 9>&-
  if ! wait_healthy "$NAME" "$PIDFILE" "$LOGFILE" is_healthy; then
    stop_pidfile "$PIDFILE" 10
    die "$NAME failed to start (log: $LOGFILE)"
  fi
  log "$NAME up (install $((t1 - t0))s, start $((SECONDS - t1))s, pid $(cat "$PIDFILE")): $(describe)"
}

service_down() {
  if pid_alive "$PIDFILE"; then
    stop_pidfile "$PIDFILE" "${STOP_GRACE:-30}"
    log "$NAME stopped"
  else
    rm -f "$PIDFILE"
    log "$NAME not running"
  fi
}

# Exit status 0 only when the server is up and healthy; tests and jest setup rely on that.
service_status() {
  if pid_alive "$PIDFILE" && is_healthy; then
    echo "$NAME: running (pid $(cat "$PIDFILE")) $(describe)"
  elif is_healthy; then
    echo "$NAME: running (not started by these scripts) $(describe)"
  elif pid_alive "$PIDFILE"; then
    echo "$NAME: starting or unhealthy (pid $(cat "$PIDFILE"))"
    return 1
  else
    echo "$NAME: stopped"
    return 1
  fi
}

# Runs a slow install step with its output in a log, printed only when it fails.
run_logged() {
  local logfile="$1"; shift
  if ! "$@" >"$logfile" 2>&1; then
    print_log_tail "$logfile"
    return 1
  fi
}
