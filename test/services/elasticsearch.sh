#!/usr/bin/env bash
# Elasticsearch (single node, security off) for the integration tests.
#   bash test/services/elasticsearch.sh up|down|status|install
# HTTP 127.0.0.1:19200, transport 127.0.0.1:19300 (node-internal).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=elasticsearch
ES_VERSION="${SLUICE_ES_VERSION:-8.19.21}"
ES_USER="${SLUICE_ES_USER:-sluice-es}"
PORT="${SLUICE_ES_PORT:-19200}"
TRANSPORT_PORT=$((PORT + 100))
# Extra node settings for a private instance, space-separated key=value (e.g. a tiny write queue).
read -r -a EXTRA_SETTINGS <<<"${SLUICE_ES_SETTINGS:-}"
PIDFILE="$RUN_DIR/elasticsearch$SUFFIX.pid"
LOGFILE="$RUN_DIR/elasticsearch$SUFFIX.log"
STOP_GRACE=30
ZIP="$CACHE_DIR/m2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"

# Elasticsearch refuses to run as root. As root it runs as an unprivileged user, which cannot enter
# root's home (mode 700), so the unpacked copy and its data live under /var/tmp instead; the
# download itself stays cached in the Maven repository under the home directory.
if (( EUID == 0 )); then
  ES_BASE="${SLUICE_ES_BASE:-/var/tmp/sluice-test-services/elasticsearch}"
else
  ES_BASE="$CACHE_DIR/elasticsearch"
fi
ES_HOME="$ES_BASE/elasticsearch-$ES_VERSION"
ES_STATE="$ES_BASE/run$SUFFIX"

describe() { echo "Elasticsearch $ES_VERSION http://127.0.0.1:$PORT"; }

# Yellow is as good as it gets on one node once an index with replicas exists.
is_healthy() {
  curl -fsS --max-time 2 "http://127.0.0.1:$PORT/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null \
    | grep -qE '"status":"(green|yellow)"'
}

java_home() {
  if [[ -n "${SLUICE_ES_JAVA_HOME:-}" ]]; then echo "$SLUICE_ES_JAVA_HOME"; return; fi
  local java
  java="$(readlink -f "$(command -v java)")" || die "no java on PATH; Elasticsearch $ES_VERSION needs Java 17+"
  dirname "$(dirname "$java")"
}

ensure_user() {
  (( EUID == 0 )) || return 0
  id -u "$ES_USER" >/dev/null 2>&1 && return 0
  log "creating unprivileged user $ES_USER to run Elasticsearch"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER" 2>/dev/null \
    || id -u "$ES_USER" >/dev/null 2>&1 || die "useradd $ES_USER failed"
}

install() {
  ensure_user
  [[ -f "$ES_HOME/.complete" ]] && return 0
  command -v unzip >/dev/null || die "unzip is needed to unpack Elasticsearch"
  if [[ ! -f "$ZIP" ]]; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Elasticsearch"
    log "downloading Elasticsearch $ES_VERSION (integ-test-zip) into $CACHE_DIR/m2 (first run only)"
    run_logged "$RUN_DIR/elasticsearch-install.log" mvn -B -Dmaven.repo.local="$CACHE_DIR/m2" \
      dependency:get -Dtransitive=false \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
      || die "Maven could not fetch Elasticsearch $ES_VERSION (log: $RUN_DIR/elasticsearch-install.log)"
  fi
  log "unpacking Elasticsearch $ES_VERSION into $ES_BASE"
  mkdir -p "$ES_BASE"
  chmod 755 "$ES_BASE"
  rm -rf "$ES_HOME" "$ES_HOME.tmp"
  unzip -q "$ZIP" -d "$ES_HOME.tmp"
  mv "$ES_HOME.tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rmdir "$ES_HOME.tmp"
  touch "$ES_HOME/.complete"
}

start() {
  port_open "$PORT" && die "port $PORT is taken by another process"
  # Fresh config, data, logs and tmp on every start so each test run sees an empty cluster
  # (unless a private instance restarts with its data kept).
  if [[ "$KEEP_DATA" != 1 || ! -d "$ES_STATE/config" ]]; then
    rm -rf "$ES_STATE"
    mkdir -p "$ES_STATE"/{data,logs,tmp}
    cp -r "$ES_HOME/config" "$ES_STATE/config"
  fi
  local -a extra=()
  local setting
  for setting in "${EXTRA_SETTINGS[@]}"; do extra+=(-E "$setting"); done
  local -a as_user=()
  if (( EUID == 0 )); then
    chown -R "$ES_USER:" "$ES_STATE"
    as_user=(setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups)
  fi
  # TieredStopAtLevel=1 (C1 JIT only) halves start-up time on a busy 2-core machine; test loads
  # do not need C2's peak throughput. The working directory matters: jvm.options writes gc.log
  # relative to it.
  # setsid: the node outlives the shell (and jest's process group) that started it.
  (
    cd "$ES_STATE"
    exec env HOME="$ES_STATE" ES_JAVA_HOME="$(java_home)" ES_PATH_CONF="$ES_STATE/config" ES_TMPDIR="$ES_STATE/tmp" \
      ES_JAVA_OPTS="-Xms512m -Xmx512m -XX:TieredStopAtLevel=1" \
      setsid "${as_user[@]}" "$ES_HOME/bin/elasticsearch" \
      -E cluster.name=sluice-test -E node.name=sluice-test \
      -E discovery.type=single-node -E xpack.security.enabled=false \
      -E network.host=127.0.0.1 -E http.port="$PORT" -E transport.port="$TRANSPORT_PORT" \
      -E path.data="$ES_STATE/data" -E path.logs="$ES_STATE/logs" \
      -E cluster.routing.allocation.disk.threshold_enabled=false \
      -E action.destructive_requires_name=false "${extra[@]}"
  ) </dev/null >"$LOGFILE" 2>&1 &
  echo $! >"$PIDFILE"
}

service_main "$@"
