-- opsctl queue promote: delayed jobs to waiting now, as Queue.promoteJobs() (BullMQ moveJobsToWait-8.lua
-- with state delayed): a `waiting prev delayed` event per job, ZREM delayed, LPUSH wait (priority is
-- ignored and the `delay` field kept, as BullMQ does), one ready marker unless paused or maxed.
-- opsctl passes the ids (a page read in score order); each is re-checked here: still delayed, and a
-- job hash. A paused BullMQ 5 queue gets the jobs in its paused list (docs/bullmq-keys.md section 2).
-- KEYS: 1 delayed, 2 wait, 3 paused, 4 meta, 5 active, 6 marker, 7 events
-- ARGV: 1 key base "<prefix>:<queue>:", 2 mode ("v6" | "legacy"), 3.. ids
-- Returns {{moved ids}, id1, problem1, id2, problem2, ...}.
local rcall = redis.call
--- @include "queue_state"
--- @include "state_common"

local delayedKey, waitKey, pausedKey, metaKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local activeKey, markerKey, eventsKey = KEYS[5], KEYS[6], KEYS[7]
local base, mode = ARGV[1], ARGV[2]

-- Per id: the hash check first (rare problems then cost a ZSCORE), then ZREM, whose answer is the
-- "still delayed" re-check.
local ids = {}
local out = {ids}
for i = 3, #ARGV do
  local id = ARGV[i]
  local problem = state_job_problem(base .. id)
  if problem then
    if rcall("ZSCORE", delayedKey, id) then
      out[#out + 1] = id
      out[#out + 1] = problem
    end
  elseif rcall("ZREM", delayedKey, id) == 1 then
    ids[#ids + 1] = id
  end
end
if #ids == 0 then return out end

local maxEvents = opsctl_max_events(metaKey)
for _, id in ipairs(ids) do
  rcall("XADD", eventsKey, "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", id, "prev", "delayed")
end
rcall("LPUSH", state_target_list(mode, metaKey, waitKey, pausedKey), unpack(ids))
opsctl_add_ready_marker(markerKey, opsctl_paused_or_maxed(metaKey, activeKey))
return out
