-- opsctl job promote: each id as Job.promote() (BullMQ promote-9.lua): refused unless delayed; drops a
-- BullMQ 4 "0:" marker id from wait; priority 0 -> LPUSH wait (a paused BullMQ 5 queue: its paused
-- list), else prioritized with BullMQ's score (priority * 2^32 + INCR pc); ready marker unless paused
-- or maxed; `waiting prev delayed` event; HSET delay 0.
-- KEYS: 1 delayed, 2 wait, 3 paused, 4 meta, 5 prioritized, 6 active, 7 pc, 8 events, 9 marker
-- ARGV: 1 key base "<prefix>:<queue>:", 2 mode ("v6" | "legacy"), 3.. ids
-- Returns {id1, outcome1, ...}: outcome "promoted", "not delayed", or a problem text prefixed "problem: ".
local rcall = redis.call
--- @include "queue_state"
--- @include "state_common"

local delayedKey, waitKey, pausedKey, metaKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local prioritizedKey, activeKey, pcKey, eventsKey, markerKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local base, mode = ARGV[1], ARGV[2]

local out = {}
local maxEvents = nil
for i = 3, #ARGV do
  local id = ARGV[i]
  local jobKey = base .. id
  local outcome = "promoted"
  if not rcall("ZSCORE", delayedKey, id) then
    outcome = "not delayed"
  else
    local problem = state_job_problem(jobKey)
    if problem then
      outcome = "problem: " .. problem
    else
      rcall("ZREM", delayedKey, id)
      local priority = tonumber(rcall("HGET", jobKey, "priority")) or 0
      local pausedOrMaxed = opsctl_paused_or_maxed(metaKey, activeKey)
      local head = rcall("LINDEX", waitKey, 0)
      if head and string.sub(head, 1, 2) == "0:" then rcall("LPOP", waitKey) end
      if priority == 0 then
        rcall("LPUSH", state_target_list(mode, metaKey, waitKey, pausedKey), id)
      else
        local score = priority * 0x100000000 + rcall("INCR", pcKey) % 0x100000000
        rcall("ZADD", prioritizedKey, score, id)
      end
      opsctl_add_ready_marker(markerKey, pausedOrMaxed)
      maxEvents = maxEvents or opsctl_max_events(metaKey)
      rcall("XADD", eventsKey, "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", id, "prev", "delayed")
      rcall("HSET", jobKey, "delay", 0)
    end
  end
  out[#out + 1] = id
  out[#out + 1] = outcome
end
return out
