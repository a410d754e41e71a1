# Throwaway servers for scripts/demo and bench/*: sourced, not run.
#   start_redis DIR [extra redis-server args...]  sets REDIS_PID and REDIS_PORT (private loopback port)
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

stop_servers() {
  if [ -n "$REDIS_PID" ]; then
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
  fi
}
