--[[
  opsctl queue clear: one bounded batch of BullMQ's Queue.clean(grace, limit, state)
  (docs/bullmq-keys.md 5.1; BullMQ's cleanJobsInSet-3 with cleanSet/cleanList).

  KEYS[1] the state key (completed, failed, delayed, prioritized, wait, paused or active)
  KEYS[2] events stream   KEYS[3] repeat (Job Schedulers)   KEYS[4] meta

  ARGV[1] queue base "<prefix>:<queue>:"
  ARGV[2] mode: "finished" (completed, failed), "delayed", "prioritized", "list", "active"
  ARGV[3] cutoff: epoch ms; jobs whose time is <= cutoff are removed
  ARGV[4] skip: entries already examined and kept (the caller adds up `kept` of earlier batches)
  ARGV[5] window: how many entries to examine (a --limit caps the window, so it caps removals)
  ARGV[6] "remove", or "check" to make the same decisions and change nothing (dry run)
  ARGV[7] finished mode only: the lowest finishedOn score taken (--since); absent or 0 for all

  Which time counts, as in BullMQ: finished sets by their score (finishedOn); lists by the first of
  finishedOn, processedOn, timestamp; delayed by processedOn, else timestamp; prioritized by
  timestamp. Active jobs only without a lock. A Job Scheduler's current job stays, except in the
  finished sets. Windows are taken oldest first (the tail of a list, the lowest scores of a set)
  and walked in BullMQ's order within the window.

  Returns {removed, examined, kept, {problem id, problem kind, ...}, {removed ids, at most 20}}.
  A problem (no job hash, or a key of another type) is left where it is and counts as kept.
  One `cleaned` event per call that removed something.
]]
local rcall = redis.call

--- @include "queue_state"
--- @include "clear_remove"

local stateKey, eventsKey, repeatKey, metaKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local base, mode = ARGV[1], ARGV[2]
local cutoff = tonumber(ARGV[3])
local skip, window = tonumber(ARGV[4]), tonumber(ARGV[5])
local checkOnly = ARGV[6] == "check"

-- Fields read per job: parentKey, deid and name (always set by BullMQ: tells a hash without the
-- others from a missing one), then for unfinished states rjk and the times, first set wins.
local fieldsByMode = {
  finished = {"parentKey", "deid", "name"},
  delayed = {"parentKey", "deid", "name", "rjk", "processedOn", "timestamp"},
  prioritized = {"parentKey", "deid", "name", "rjk", "timestamp"},
  list = {"parentKey", "deid", "name", "rjk", "finishedOn", "processedOn", "timestamp"},
  active = {"parentKey", "deid", "name", "rjk", "finishedOn", "processedOn", "timestamp"},
}
local wanted = fieldsByMode[mode]
local isList = mode == "list" or mode == "active"

local ids
if mode == "finished" then
  ids = rcall("ZRANGEBYSCORE", stateKey, tonumber(ARGV[7] or "0"), cutoff, "LIMIT", skip, window)
elseif isList then
  ids = rcall("LRANGE", stateKey, -(skip + window), -(skip + 1))
else
  ids = rcall("ZRANGE", stateKey, skip, skip + window - 1)
end

local removed, kept = {}, 0
local problems, sample = {}, {}
local deletedMark = "\0opsctl-clear-deleted\0"
local fetched = #ids

-- Decides one entry; returns true when it was removed.
local function clearOne(jobId)
  local jobKey = base .. jobId
  if mode == "active" and rcall("EXISTS", jobKey .. ":lock") == 1 then return false end
  local fields = redis.pcall("HMGET", jobKey, unpack(wanted))
  if fields.err then
    problems[#problems + 1] = jobId
    problems[#problems + 1] = rcall("TYPE", jobKey)["ok"]
    return false
  end
  if not fields[3] and rcall("EXISTS", jobKey) == 0 then
    problems[#problems + 1] = jobId
    problems[#problems + 1] = "missing"
    return false
  end
  if mode ~= "finished" then
    if opsctl_clear_is_scheduler_job(jobId, fields[4], repeatKey) then return false end
    local ts
    for i = 5, #wanted do
      if fields[i] then ts = tonumber(fields[i]); break end
    end
    if ts and ts > cutoff then return false end
  end
  if not checkOnly then  -- opsctl_clear_remove_hard, inlined: this is the hot loop
    if fields[1] then opsctl_clear_unlink_from_parent(jobKey, true, base, fields[1]) end
    if fields[2] then opsctl_clear_dedup(base, jobId, fields[2]) end
    opsctl_clear_delete_keys(jobKey)
  end
  return true
end

for i, jobId in ipairs(ids) do
  if clearOne(jobId) then
    removed[#removed + 1] = jobId
    if #sample < 20 then sample[#sample + 1] = jobId end
    if isList and not checkOnly then rcall("LSET", stateKey, -(skip + fetched) + i - 1, deletedMark) end
  else
    kept = kept + 1
  end
end

if #removed > 0 and not checkOnly then
  if isList then
    rcall("LREM", stateKey, -#removed, deletedMark)
  elseif #removed == fetched and rcall("ZRANK", stateKey, ids[fetched]) - rcall("ZRANK", stateKey, ids[1]) == fetched - 1 then
    -- The whole window went and it is one run of ranks (ZRANGE/ZRANGEBYSCORE return members in rank
    -- order): one range removal instead of a search per member.
    local first = rcall("ZRANK", stateKey, ids[1])
    rcall("ZREMRANGEBYRANK", stateKey, first, first + fetched - 1)
  else
    for from = 1, #removed, 5000 do
      rcall("ZREM", stateKey, unpack(removed, from, math.min(from + 4999, #removed)))
    end
  end
  rcall("XADD", eventsKey, "MAXLEN", "~", opsctl_max_events(metaKey), "*", "event", "cleaned", "count", #removed)
end

return {#removed, fetched, kept, problems, sample}
