-- opsctl queue resume: the same as Queue.resume() of the BullMQ version that owns the queue.
--   v6:     BullMQ 6 pause-7.lua: HDEL meta paused, merge a legacy paused list into wait (7000 ids per
--           call), ready marker if wait or prioritized hold jobs, else the delayed marker; `resumed` event
--           on the first call.
--   legacy: BullMQ 5 renames paused to wait, which overwrites ids pushed to wait during the pause. opsctl
--           merges paused into wait instead (paused's jobs first), keeping the queue paused until the
--           last batch so BullMQ 5 producers keep one target; then HDEL, marker and `resumed` event.
-- KEYS: 1 wait, 2 paused, 3 meta, 4 prioritized, 5 delayed, 6 marker, 7 events
-- ARGV: 1 mode ("v6" | "legacy"), 2 first call ("1" | "0")
-- Returns {moved, remaining}.
local rcall = redis.call
--- @include "queue_state"
--- @include "state_common"

local waitKey, pausedKey, metaKey, prioritizedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local delayedKey, markerKey, eventsKey = KEYS[5], KEYS[6], KEYS[7]
local mode, first = ARGV[1], ARGV[2] == "1"

local function resumed(emit)
  rcall("HDEL", metaKey, "paused")
  if rcall("LLEN", waitKey) + rcall("ZCARD", prioritizedKey) > 0 then
    rcall("ZADD", markerKey, 0, "0")
  else
    opsctl_add_delay_marker(markerKey, delayedKey)
  end
  if emit then
    rcall("XADD", eventsKey, "MAXLEN", "~", opsctl_max_events(metaKey), "*", "event", "resumed")
  end
end

if mode == "legacy" then
  local moved, remaining = state_merge_list(pausedKey, waitKey, 7000)
  if remaining == 0 then resumed(true) end
  return {moved, remaining}
end

if first then rcall("HDEL", metaKey, "paused") end
local moved, remaining = state_merge_list(pausedKey, waitKey, 7000)
resumed(first)
return {moved, remaining}
