-- opsctl job unstick: active jobs whose worker is gone back to waiting, as BullMQ's stalled-job checker
-- (moveStalledJobsToWait-9.lua) moves them, or to failed.
-- Each id is re-checked here, at the moment of the move:
--   * a job whose <job>:lock exists has a live worker and is left alone, unless ARGV[4] (a cutoff in
--     epoch ms) is set and its processedOn is older: then the lock is deleted (--older-than);
--   * LREM active must remove it (else it finished or moved meanwhile); the job key must be a hash.
-- To wait: SREM stalled, HINCRBY stc 1, RPUSH wait (the head: it runs next; a paused BullMQ 5 queue: its
-- paused list) or, with a priority, ZADD prioritized priority*2^32 (the front of its priority, as
-- BullMQ pushes back a prioritized job); ready marker unless paused or maxed; `waiting prev active`
-- and `stalled` events. No `defa` is set: the operator chose to run it again.
-- To failed: as a failed attempt (moveToFinished-14.lua): HINCRBY atm 1, failedReason, finishedOn,
-- HDEL defa, ZADD failed, the deduplication key released, `failed prev active` event.
-- KEYS: 1 active, 2 wait, 3 paused, 4 meta, 5 prioritized, 6 stalled, 7 marker, 8 events, 9 failed
-- ARGV: 1 key base "<prefix>:<queue>:", 2 mode ("v6" | "legacy"), 3 target ("wait" | "failed"),
--       4 cutoff ms or "", 5 now ms, 6 failedReason, 7.. ids
-- Returns {{moved ids}, id1, problem1, ...}.
local rcall = redis.call
--- @include "queue_state"
--- @include "state_common"

local activeKey, waitKey, pausedKey, metaKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local prioritizedKey, stalledKey, markerKey, eventsKey, failedKey = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local base, mode, target = ARGV[1], ARGV[2], ARGV[3]
local cutoff, now, failedReason = tonumber(ARGV[4]), ARGV[5], ARGV[6]

local moved = {}
local out = {moved}
local maxEvents = nil

local function to_wait(jobKey, id)
  rcall("HINCRBY", jobKey, "stc", 1)
  local priority = tonumber(rcall("HGET", jobKey, "priority")) or 0
  local pausedOrMaxed = opsctl_paused_or_maxed(metaKey, activeKey)
  if priority > 0 then
    rcall("ZADD", prioritizedKey, priority * 0x100000000, id)
  else
    rcall("RPUSH", state_target_list(mode, metaKey, waitKey, pausedKey), id)
  end
  opsctl_add_ready_marker(markerKey, pausedOrMaxed)
  rcall("XADD", eventsKey, "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", id, "prev", "active")
  rcall("XADD", eventsKey, "MAXLEN", "~", maxEvents, "*", "event", "stalled", "jobId", id)
end

local function to_failed(jobKey, id)
  rcall("HINCRBY", jobKey, "atm", 1)
  rcall("HSET", jobKey, "failedReason", failedReason, "finishedOn", now)
  rcall("HDEL", jobKey, "defa")
  rcall("ZADD", failedKey, now, id)
  local dedupId = rcall("HGET", jobKey, "deid")
  if dedupId then
    local dedupKey = base .. "de:" .. dedupId
    if rcall("PTTL", dedupKey) == -1 and rcall("GET", dedupKey) == id then rcall("DEL", dedupKey) end
  end
  rcall("XADD", eventsKey, "MAXLEN", "~", maxEvents, "*", "event", "failed", "jobId", id,
        "failedReason", failedReason, "prev", "active")
end

for i = 7, #ARGV do
  local id = ARGV[i]
  local jobKey = base .. id
  local problem = state_job_problem(jobKey)
  if string.sub(id, 1, 2) == "0:" then
    -- a BullMQ 4 marker id, not a job
  elseif problem then
    if rcall("LPOS", activeKey, id) then  -- still active (a job removed meanwhile is no problem)
      out[#out + 1] = id
      out[#out + 1] = problem
    end
  else
    local lockKey = jobKey .. ":lock"
    local locked = rcall("EXISTS", lockKey) == 1
    local eligible = not locked
    if locked and cutoff then
      local processedOn = tonumber(rcall("HGET", jobKey, "processedOn"))
      eligible = processedOn ~= nil and processedOn < cutoff
    end
    if eligible and rcall("LREM", activeKey, 1, id) == 1 then
      rcall("SREM", stalledKey, id)
      if locked then rcall("DEL", lockKey) end
      maxEvents = maxEvents or opsctl_max_events(metaKey)
      if target == "failed" then to_failed(jobKey, id) else to_wait(jobKey, id) end
      moved[#moved + 1] = id
    end
  end
end
return out
