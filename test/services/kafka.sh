#!/usr/bin/env bash
# Apache Kafka (KRaft, single broker+controller) for the integration tests.
#   bash test/services/kafka.sh up|down|status|install
# Listeners: PLAINTEXT 127.0.0.1:19092, SASL_PLAINTEXT 127.0.0.1:19093 (sluice/sluice-secret;
# PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), controller 127.0.0.1:19094.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=kafka
KAFKA_VERSION="${SLUICE_KAFKA_VERSION:-4.4.0}"
JAVA="${SLUICE_KAFKA_JAVA:-java}"
LIB_DIR="$CACHE_DIR/kafka/$KAFKA_VERSION/libs"
PORT="${SLUICE_KAFKA_PORT:-19092}"
SASL_PORT=$((PORT + 1))
CONTROLLER_PORT=$((PORT + 2))
PIDFILE="$RUN_DIR/kafka$SUFFIX.pid"
LOGFILE="$RUN_DIR/kafka$SUFFIX.log"
STATE_DIR="$RUN_DIR/kafka$SUFFIX"
DATA_DIR="$STATE_DIR/data"
STOP_GRACE=30

describe() { echo "Kafka $KAFKA_VERSION PLAINTEXT 127.0.0.1:$PORT, SASL_PLAINTEXT 127.0.0.1:$SASL_PORT"; }

# Healthy once both client listeners accept connections and the server logged its start; the
# listeners open only after the broker has caught up with the metadata log.
is_healthy() {
  port_open "$PORT" && port_open "$SASL_PORT" || return 1
  ! pid_alive "$PIDFILE" || grep -q 'Kafka Server started' "$LOGFILE" 2>/dev/null
}

install() {
  [[ -f "$LIB_DIR/.complete" ]] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Kafka jars"
  log "installing Kafka $KAFKA_VERSION jars into $LIB_DIR (first run only)"
  local tmp="$LIB_DIR.tmp"
  rm -rf "$tmp"
  run_logged "$RUN_DIR/kafka-install.log" mvn -B -f "$SERVICES_DIR/kafka/pom.xml" \
    -Dmaven.repo.local="$CACHE_DIR/m2" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
    || die "Maven could not fetch Kafka $KAFKA_VERSION (log: $RUN_DIR/kafka-install.log)"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  touch "$LIB_DIR/.complete"
}

# A short-lived JVM: C1 and the serial GC start fastest.
storage_tool() {
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$SERVICES_DIR/kafka/log4j2.properties" \
    -cp "$LIB_DIR/*" kafka.tools.StorageTool "$@"
}

start() {
  "$JAVA" -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])' || die "Kafka $KAFKA_VERSION needs Java 17+ ($JAVA)"
  local port
  for port in "$PORT" "$SASL_PORT" "$CONTROLLER_PORT"; do
    ! port_open "$port" || die "port $port is taken by another process"
  done
  if [[ "$KEEP_DATA" == 1 && -f "$DATA_DIR/meta.properties" ]]; then
    : >"$LOGFILE" # is_healthy reads the start line of this run, not the last one
    launch_broker
    return
  fi
  rm -rf "$STATE_DIR"
  mkdir -p "$DATA_DIR"
  sed -e "s|@DATA_DIR@|$DATA_DIR|" -e "s|@PORT@|$PORT|g" -e "s|@SASL_PORT@|$SASL_PORT|g" \
    -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" "$SERVICES_DIR/kafka/server.properties" >"$STATE_DIR/server.properties"
  local cluster_id
  cluster_id="$(storage_tool random-uuid 2>"$LOGFILE")" || { print_log_tail "$LOGFILE"; die "StorageTool random-uuid failed"; }
  run_logged "$LOGFILE" storage_tool format -t "$cluster_id" -c "$STATE_DIR/server.properties" \
    --add-scram 'SCRAM-SHA-256=[name=sluice,password=sluice-secret]' \
    --add-scram 'SCRAM-SHA-512=[name=sluice,password=sluice-secret]' \
    || die "formatting Kafka storage failed"
  launch_broker
}

launch_broker() {
  # setsid: the broker outlives the shell (and jest's process group) that started it.
  # TieredStopAtLevel=1 (C1 JIT only): faster start-up on 2 cores; tests need no peak throughput.
  setsid "$JAVA" -Xms256m -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$SERVICES_DIR/kafka/log4j2.properties" \
    -cp "$LIB_DIR/*" kafka.Kafka "$STATE_DIR/server.properties" \
    </dev/null >>"$LOGFILE" 2>&1 &
  echo $! >"$PIDFILE"
}

service_main "$@"
