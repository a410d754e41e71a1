-- Queue-level helpers shared by opsctl's scripts (BullMQ 5/6 semantics, see
-- docs/bullmq-keys.md sections 2, 3 and 4). Expects `local rcall = redis.call`.

-- Paused (meta.paused set) or at its global concurrency: BullMQ adds no marker then.
local function opsctl_paused_or_maxed(metaKey, activeKey)
  local meta = rcall("HMGET", metaKey, "paused", "concurrency")
  if meta[1] then return true end
  if meta[2] then return rcall("LLEN", activeKey) >= tonumber(meta[2]) end
  return false
end

-- Wakes a worker blocked in BZPOPMIN on the marker: score 0 means "a job is ready now".
local function opsctl_add_ready_marker(markerKey, pausedOrMaxed)
  if not pausedOrMaxed then rcall("ZADD", markerKey, 0, "0") end
end

-- When nothing is ready, a worker should wake for the earliest delayed job (member "1").
local function opsctl_add_delay_marker(markerKey, delayedKey)
  local first = rcall("ZRANGE", delayedKey, 0, 0, "WITHSCORES")
  if first[2] then
    rcall("ZADD", markerKey, tonumber(first[2]) / 0x1000, "1")  -- not floored, as BullMQ
  end
end

-- The events stream cap: meta's opts.maxLenEvents, written with BullMQ's default when missing.
local function opsctl_max_events(metaKey)
  local n = rcall("HGET", metaKey, "opts.maxLenEvents")
  if not n then
    n = 10000
    rcall("HSET", metaKey, "opts.maxLenEvents", n)
  end
  return n
end
