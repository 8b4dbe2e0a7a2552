#!/usr/bin/env bash
# Starts, stops or reports the integration-test servers.
#   bash test/services/all.sh up|down|status|install [kafka|elasticsearch|s3 ...]   (default: all three)
# `up` starts the servers in parallel (their first-run installs overlap too) and fails if any fails;
# `install` only fetches and builds them (e.g. to warm the cache in CI).
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmd="${1:-}"
shift || true
servers=("$@")
(( ${#servers[@]} )) || servers=(kafka elasticsearch s3)

for s in "${servers[@]}"; do
  [[ -f "$dir/$s.sh" ]] || { echo "unknown server '$s' (kafka, elasticsearch, s3)" >&2; exit 2; }
done

case "$cmd" in
  up | down | install)
    declare -A pids=()
    for s in "${servers[@]}"; do
      bash "$dir/$s.sh" "$cmd" &
      pids[$s]=$!
    done
    failed=()
    for s in "${servers[@]}"; do
      wait "${pids[$s]}" || failed+=("$s")
    done
    if (( ${#failed[@]} )); then
      echo "[services] ERROR: $cmd failed for: ${failed[*]} (logs: ${SLUICE_SERVICES_CACHE:-$HOME/.cache/sluice-test-services}/run/)" >&2
      exit 1
    fi
    ;;
  status)
    rc=0
    for s in "${servers[@]}"; do bash "$dir/$s.sh" status || rc=1; done
    exit "$rc"
    ;;
  *)
    echo "usage: $0 up|down|status|install [kafka|elasticsearch|s3 ...]" >&2
    exit 2
    ;;
esac
