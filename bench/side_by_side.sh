#!/usr/bin/env bash
# Every benchmark, ROUNDS times in turn (round-robin, so they are measured side by side in
# one run), each preceded by the load average. Quote medians of the rounds, with the load.
#   bench/side_by_side.sh [ROUNDS]      (PG_URL=postgresql+psycopg://... adds the PostgreSQL runs)
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
ROUNDS=${1:-3}
for round in $(seq 1 "$ROUNDS"); do
  echo "=== round $round of $ROUNDS"
  for bench in unsubscribe pages tokens outbox campaign log_filter; do
    echo "--- $bench  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    $PY "bench/$bench.py" 2>&1 | tail -n 12
  done
  if [ -n "${PG_URL:-}" ]; then
    echo "--- unsubscribe (PostgreSQL)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    $PY bench/unsubscribe.py --database-url "$PG_URL" 2>&1 | tail -n 12
  fi
done
