--[[
  opsctl job retry: some jobs, by id, from failed or completed back to waiting, with the end state
  of BullMQ's Job.retry(state) (reprocessJob, BullMQ 6.4+): the job must have a hash and leave the
  failed set (else the completed set) in this call; HDEL finishedOn, processedOn and failedReason
  (completed: returnvalue), also atm and ats when asked; priority > 0 -> the prioritized set with
  a fresh `pc` counter score, else LPUSH (RPUSH for opts.lifo) to wait (paused list on a paused
  BullMQ 5 queue). On a queue whose meta.version names BullMQ 5, priority is ignored, as BullMQ 5's
  Job.retry (reprocessJob-8) ignores it: every job goes to wait (or the paused list); the ready marker unless paused or at its global concurrency; flow children back
  into their parent's dependencies; a `waiting` event with prev=<state>.

  KEYS[1] failed   KEYS[2] completed   KEYS[3] wait   KEYS[4] paused   KEYS[5] meta
  KEYS[6] active   KEYS[7] marker      KEYS[8] prioritized   KEYS[9] pc   KEYS[10] events
  ARGV[1] job key base "<prefix>:<queue>:"
  ARGV[2] "1": also delete atm and ats (reset attempts)
  ARGV[3] "1": a paused queue keeps its jobs in the legacy paused list
  ARGV[4..] job ids

  Returns one code per id: "failed" or "completed" (retried from that state), "missing" (no job
  hash), "notahash" (key of another type), "state" (in neither set: the caller finds out where).
]]
local rcall = redis.call

--- @include "queue_state"
--- @include "bullmq_major"
--- @include "retry_parent"
--- @include "retry_target"

local failedKey, completedKey, metaKey = KEYS[1], KEYS[2], KEYS[5]
-- A wrong type would fail a command half-way through a job: check them all before any write.
opsctl_retry_require_type(metaKey, "hash")
local targetKey = opsctl_retry_target_list(KEYS[3], KEYS[4], metaKey, ARGV[3])
opsctl_retry_require_types({failedKey, "zset", completedKey, "zset", targetKey, "list", KEYS[6], "list",
  KEYS[7], "zset", KEYS[8], "zset", KEYS[9], "string", KEYS[10], "stream"})
local honourPriority = not opsctl_is_bullmq5(metaKey)

-- Job.retry pushes with LPUSH, or RPUSH (to the head) for a lifo job.
local function push_command(jobKey)
  local raw = rcall("HGET", jobKey, "opts")
  if raw then
    local ok, opts = pcall(cjson.decode, raw)
    if ok and type(opts) == "table" and opts.lifo == true then return "RPUSH" end
  end
  return "LPUSH"
end

local codes = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  local jobKey = ARGV[1] .. id
  local keyType = rcall("TYPE", jobKey)["ok"]
  local code
  if keyType == "none" then
    code = "missing"
  elseif keyType ~= "hash" then
    code = "notahash"
  elseif rcall("ZREM", failedKey, id) == 1 then
    code = "failed"
  elseif rcall("ZREM", completedKey, id) == 1 then
    code = "completed"
  else
    code = "state"
  end
  if code == "failed" or code == "completed" then
    local fields = {"finishedOn", "processedOn", code == "failed" and "failedReason" or "returnvalue"}
    if ARGV[2] == "1" then
      fields[4] = "atm"
      fields[5] = "ats"
    end
    rcall("HDEL", jobKey, unpack(fields))
    local pausedOrMaxed = opsctl_paused_or_maxed(metaKey, KEYS[6])
    local priority = honourPriority and tonumber(rcall("HGET", jobKey, "priority")) or 0
    if priority > 0 then
      local counter = rcall("INCR", KEYS[9])
      rcall("ZADD", KEYS[8], priority * 0x100000000 + counter % 0x100000000, id)
    else
      rcall(push_command(jobKey), targetKey, id)
    end
    opsctl_add_ready_marker(KEYS[7], pausedOrMaxed)
    opsctl_retry_restore_parent(jobKey, code)
    rcall("XADD", KEYS[10], "MAXLEN", "~", opsctl_max_events(metaKey), "*", "event", "waiting", "jobId", id,
      "prev", code)
  end
  codes[#codes + 1] = code
end
return codes
