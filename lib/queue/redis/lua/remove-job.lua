--[[
  opsctl job remove: one job and its children, as BullMQ's Queue.remove(id, {removeChildren: true})
  (docs/bullmq-keys.md 5.3; BullMQ's removeJob-2 with removeJobWithChildren and isLocked).

  KEYS[1] job key   KEYS[2] repeat (Job Schedulers)

  ARGV[1] job id   ARGV[2] queue base "<prefix>:<queue>:"   ARGV[3] "check" to only report what a
  removal would do, "remove" to do it

  Returns {code, detail, {problem key, problem kind, ...}}:
    1  removed (check: would be removed); detail = the state it was in (raw: wait, paused, ...)
    0  refused: the job or one of its pending children is locked by a worker; detail = locked key
   -8  refused: the current job of Job Scheduler <detail>
   -1  not found: no hash and in no state
   -3  skipped: no job hash but the id sits in state <detail> (reported, left as is)
   -4  skipped: the key is a <detail>, not a job hash
  Children whose key has another type are left in place and listed as problems.
]]
local rcall = redis.call

--- @include "queue_state"
--- @include "clear_remove"
--- @include "clear_remove_tree"

local jobKey, repeatKey = KEYS[1], KEYS[2]
local jobId, base, doRemove = ARGV[1], ARGV[2], ARGV[3] == "remove"

local keyType = rcall("TYPE", jobKey)["ok"]
if keyType == "none" then
  local state = opsctl_remove_find_state(base, jobId)
  if state then return {-3, state, {}} end
  return {-1, "", {}}
end
if keyType ~= "hash" then return {-4, keyType, {}} end

local schedulerId = rcall("HGET", jobKey, "rjk")
if opsctl_clear_is_scheduler_job(jobId, schedulerId, repeatKey) then return {-8, schedulerId, {}} end

local locked = opsctl_remove_locked_key(jobKey)
if locked then return {0, locked, {}} end

if not doRemove then return {1, opsctl_remove_find_state(base, jobId) or "unknown", {}} end

local problems = {}
local prev = opsctl_remove_tree(base, jobId, nil, problems)
return {1, prev, problems}
