-- opsctl queue pause: the same as Queue.pause() of the BullMQ version that owns the queue.
--   v6:     HSET meta paused 1, DEL marker, `paused` event (BullMQ 6 pause-7.lua). Jobs stay in wait.
--   legacy: BullMQ 5 also renames wait to paused. opsctl never overwrites: when a paused list already
--           exists, wait is merged into it in bounded batches (call again while it returns remaining > 0).
-- KEYS: 1 wait, 2 paused, 3 meta, 4 marker, 5 events
-- ARGV: 1 mode ("v6" | "legacy"), 2 first call ("1": set the flag and emit the event; "0": only move)
-- Returns {moved, remaining}.
local rcall = redis.call
--- @include "queue_state"
--- @include "state_common"

local waitKey, pausedKey, metaKey, markerKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local mode, first = ARGV[1], ARGV[2] == "1"

if first then
  rcall("HSET", metaKey, "paused", 1)
  rcall("DEL", markerKey)
  rcall("XADD", eventsKey, "MAXLEN", "~", opsctl_max_events(metaKey), "*", "event", "paused")
elseif rcall("HEXISTS", metaKey, "paused") == 0 then
  return {0, 0}  -- resumed by someone else between two calls: leave wait alone
end

if mode ~= "legacy" then return {0, 0} end
local moved, remaining = state_merge_list(waitKey, pausedKey, 7000)
return {moved, remaining}
