--[[
  opsctl queue clear --all: one bounded batch of BullMQ's Queue.obliterate({force})
  (docs/bullmq-keys.md 5.2; BullMQ's obliterate-2 and the pause of pause-7).

  KEYS[1] meta   KEYS[2] active   KEYS[3] events   KEYS[4] marker   KEYS[5] wait   KEYS[6] paused

  ARGV[1] queue base "<prefix>:<queue>:"
  ARGV[2] count: at most this many jobs (and scheduler entries) in this call
  ARGV[3] "force" to remove active jobs too, else ""
  ARGV[4] "pause" on the first call: check for active jobs, then pause the queue (HSET meta paused,
          DEL marker, `paused` event) in the same call, so a refusal changes nothing and no worker
          can take a job once the check passed.
  ARGV[5] "legacy" for a BullMQ 5 (or unknown-version) queue, else "v6": BullMQ 5 pauses by moving
          wait to the paused list (as opsctl queue pause does), so while the queue stays paused
          between two calls its waiting jobs sit where BullMQ 5's resume expects them. Each call
          moves up to ARGV[2] of them (RENAME when there is no paused list yet).

  Order, as BullMQ: active (and its locks), delayed, Job Schedulers (repeat), completed, wait,
  the legacy paused list, prioritized, failed; when all are empty, the queue's own keys.
  Flow parents waiting for children are left in waiting-children, as BullMQ leaves them.

  Returns {status, jobs removed, {problem id, problem kind, ...}}: status -1 the queue is no longer
  paused (someone resumed it), -2 active jobs and no force, 1 more to do, 0 done.
]]
local rcall = redis.call

--- @include "queue_state"
--- @include "state_common"
--- @include "clear_remove"

local metaKey, activeKey, eventsKey, markerKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local base = ARGV[1]
local budget = tonumber(ARGV[2])
local force = ARGV[3] == "force"

if ARGV[4] == "pause" then
  if not force and rcall("LLEN", activeKey) > 0 then return {-2, 0, {}} end
  rcall("HSET", metaKey, "paused", 1)
  rcall("DEL", markerKey)
  rcall("XADD", eventsKey, "MAXLEN", "~", opsctl_max_events(metaKey), "*", "event", "paused")
elseif rcall("HEXISTS", metaKey, "paused") ~= 1 then
  return {-1, 0, {}}
end
if not force and rcall("LLEN", activeKey) > 0 then return {-2, 0, {}} end
if ARGV[5] == "legacy" then state_merge_list(KEYS[5], KEYS[6], budget) end

local removedJobs = 0
local problems = {}

-- Removes a job whose id is being taken out of its state. A key of another type stays where it is
-- (reported); an id without a hash just disappears with its state.
local function removeOne(jobId, state)
  local jobKey = base .. jobId
  local fields = redis.pcall("HMGET", jobKey, "parentKey", "deid", "name", "timestamp")
  if type(fields) == "table" and fields.err then
    problems[#problems + 1] = jobId
    problems[#problems + 1] = rcall("TYPE", jobKey)["ok"]
    return
  end
  if not (fields[1] or fields[2] or fields[3] or fields[4]) and rcall("EXISTS", jobKey) == 0 then
    problems[#problems + 1] = jobId
    problems[#problems + 1] = "missing:" .. state
    return
  end
  opsctl_clear_remove_hard(base, jobId, fields[1], fields[2])
  removedJobs = removedJobs + 1
end

local function fromList(suffix, isActive)
  local key = base .. suffix
  local ids = rcall("LRANGE", key, 0, budget - 1)
  for _, jobId in ipairs(ids) do
    if isActive then rcall("DEL", base .. jobId .. ":lock") end
    removeOne(jobId, suffix)
  end
  if #ids > 0 then rcall("LTRIM", key, #ids, -1) end
  budget = budget - #ids
end

local function fromZset(suffix)
  local key = base .. suffix
  local ids = rcall("ZRANGE", key, 0, budget - 1)
  for _, jobId in ipairs(ids) do removeOne(jobId, suffix) end
  for from = 1, #ids, 5000 do
    rcall("ZREM", key, unpack(ids, from, math.min(from + 4999, #ids)))
  end
  budget = budget - #ids
end

local function schedulers()
  local key = base .. "repeat"
  local ids = rcall("ZRANGE", key, 0, budget - 1)
  for _, id in ipairs(ids) do rcall("DEL", key .. ":" .. id) end
  for from = 1, #ids, 5000 do
    rcall("ZREM", key, unpack(ids, from, math.min(from + 4999, #ids)))
  end
  budget = budget - #ids
end

local steps = {
  function() fromList("active", true) end,
  function() fromZset("delayed") end,
  schedulers,
  function() fromZset("completed") end,
  function() fromList("wait") end,
  function() fromList("paused") end,
  function() fromZset("prioritized") end,
  function() fromZset("failed") end,
}
for _, step in ipairs(steps) do
  step()
  if budget <= 0 then return {1, removedJobs, problems} end
end

rcall("DEL", base .. "events", base .. "delay", base .. "stalled-check", base .. "stalled", base .. "id",
  base .. "pc", base .. "marker", metaKey, base .. "metrics:completed", base .. "metrics:completed:data",
  base .. "metrics:failed", base .. "metrics:failed:data")
return {0, removedJobs, problems}
