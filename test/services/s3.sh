#!/usr/bin/env bash
# S3-compatible server for the integration tests: MinIO by default, versitygw (posix backend) as
# the fallback (SLUICE_S3_SERVER=versitygw). Both are built from source with `go install`.
#   bash test/services/s3.sh up|down|status|install
# Endpoint http://127.0.0.1:19000, access key sluice, secret sluice-secret, region us-east-1,
# path-style addressing.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAME=s3
SERVER="${SLUICE_S3_SERVER:-minio}"
# MinIO tags releases RELEASE.<date>, which Go does not treat as versions, so `@latest` means the
# newest commit; pinning that commit keeps CI reproducible and the cached binary's name stable.
MINIO_VERSION="${SLUICE_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
VERSITYGW_VERSION="${SLUICE_VERSITYGW_VERSION:-v1.7.0}"
PORT="${SLUICE_S3_PORT:-19000}"
PIDFILE="$RUN_DIR/s3$SUFFIX.pid"
LOGFILE="$RUN_DIR/s3$SUFFIX.log"
STATE_DIR="$RUN_DIR/s3$SUFFIX"
STOP_GRACE=15

case "$SERVER" in
  minio) MODULE="github.com/minio/minio"; VERSION="$MINIO_VERSION" ;;
  versitygw) MODULE="github.com/versity/versitygw/cmd/versitygw"; VERSION="$VERSITYGW_VERSION" ;;
  *) die "SLUICE_S3_SERVER must be minio or versitygw, not '$SERVER'" ;;
esac
BIN="$CACHE_DIR/bin/$SERVER-$VERSION"

describe() { echo "$SERVER $VERSION http://127.0.0.1:$PORT"; }

is_healthy() {
  if [[ "$SERVER" == minio ]]; then
    curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PORT/minio/health/live" 2>/dev/null
  else
    # versitygw has no health endpoint; any S3 answer (403 to an anonymous request) means it serves.
    [[ "$(curl -sS --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/" 2>/dev/null)" =~ ^[2-4] ]]
  fi
}

install() {
  [[ -x "$BIN" ]] && return 0
  command -v go >/dev/null || die "Go is needed to build the S3 server ($SERVER)"
  log "building $SERVER $VERSION with go install (first run only; takes a few minutes)"
  local gobin="$CACHE_DIR/bin/.tmp-$SERVER"
  rm -rf "$gobin"
  # Every Go cache lives under the services cache so a cold run is truly cold and `rm -rf` of
  # that one directory resets everything (-modcacherw keeps the module cache deletable).
  run_logged "$RUN_DIR/s3-install.log" env GOPATH="$CACHE_DIR/go" GOMODCACHE="$CACHE_DIR/go/pkg/mod" \
    GOCACHE="$CACHE_DIR/go-build" GOBIN="$gobin" CGO_ENABLED=0 GOFLAGS="-modcacherw -buildvcs=false" \
    go install "$MODULE@$VERSION" \
    || die "building $SERVER failed (log: $RUN_DIR/s3-install.log); try SLUICE_S3_SERVER=versitygw"
  mv "$gobin/$SERVER" "$BIN"
  rmdir "$gobin"
}

start() {
  port_open "$PORT" && die "port $PORT is taken by another process"
  if [[ "$KEEP_DATA" != 1 ]]; then rm -rf "$STATE_DIR"; fi
  mkdir -p "$STATE_DIR/data"
  if [[ "$SERVER" == minio ]]; then
    # MINIO_CI_CD: allow the data directory to sit on the root disk. No web console, no update checks.
    MINIO_ROOT_USER=sluice MINIO_ROOT_PASSWORD=sluice-secret MINIO_REGION=us-east-1 \
      MINIO_BROWSER=off MINIO_UPDATE=off MINIO_CI_CD=1 \
      setsid "$BIN" server --address "127.0.0.1:$PORT" "$STATE_DIR/data" \
      </dev/null >"$LOGFILE" 2>&1 &
  else
    setsid "$BIN" --access sluice --secret sluice-secret --region us-east-1 --port "127.0.0.1:$PORT" \
      posix "$STATE_DIR/data" \
      </dev/null >"$LOGFILE" 2>&1 &
  fi
  echo $! >"$PIDFILE"
}

service_main "$@"
