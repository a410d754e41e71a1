# Throwaway servers for scripts/demo and bench/*: sourced, not run.
#   start_redis DIR [extra redis-server args...]  sets REDIS_PID and REDIS_PORT (private loopback port)
#   start_postgres                                sets PG_PORT, PG_DIR; max_connections 12 (3 reserved),
#                                                 role app (password in PG_APP_PASSWORD), database appdb
#   stop_servers                                  stops what was started (call it from an EXIT trap)

REDIS_PID=""
REDIS_PORT=""

free_port() {
  node -e 'const s = require("net").createServer();
           s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start_redis() {
  local dir=$1
  shift
  for _ in 1 2 3; do
    REDIS_PORT="$(free_port)"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
      --dir "$dir" --logfile "$dir/redis.log" "$@" &
    REDIS_PID=$!
    for _ in $(seq 50); do
      if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; then return 0; fi
      kill -0 "$REDIS_PID" 2>/dev/null || break
      sleep 0.1
    done
    # The port was taken between the probe and the bind, or the server did not come up: try again.
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
  done
  echo "redis-server did not start; its log:" >&2
  cat "$dir/redis.log" >&2 || true
  return 1
}

PG_DIR=""
PG_PORT=""
PG_APP_PASSWORD="demo-app-pw"

# Runs a PostgreSQL server program as the postgres user when we are root (initdb refuses root).
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bindir
  bindir="$(pg_config --bindir 2>/dev/null)"
  [ -x "$bindir/initdb" ] || bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  # Its own temp dir: the postgres user must be able to reach it.
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/opsctl-pg.XXXXXX")"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$PG_DIR"; fi
  as_pg "$bindir/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C -N >/dev/null
  PG_PORT="$(free_port)"
  as_pg "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 30 start -o \
    "-c port=$PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c max_connections=12 -c superuser_reserved_connections=3 -c fsync=off" >/dev/null
  psql -X -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres \
    -c "CREATE ROLE app LOGIN PASSWORD '$PG_APP_PASSWORD'" -c "CREATE DATABASE appdb OWNER app"
  PG_BINDIR=$bindir
}

stop_servers() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR/data" ]; then
    as_pg "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
  fi
  if [ -n "$REDIS_PID" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
  fi
}
