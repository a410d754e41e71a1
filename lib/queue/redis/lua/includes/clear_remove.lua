-- Removing one job the way BullMQ removes it (docs/bullmq-keys.md section 5; BullMQ's
-- includes/removeJob, removeParentDependencyKey, removeDeduplicationKeyIfNeededOnRemoval):
-- the hash and its sub-keys, its dedup entry when that entry still names it, and its place in the
-- parent's pending dependencies, releasing the parent when it was the last one.
-- Expects `local rcall = redis.call` and the queue_state include.

-- "bull:q:42" -> "42" and "bull:q:"; job ids never contain ':' after the queue name.
local function opsctl_clear_id_of(jobKey)
  return string.match(jobKey, ".*:(.*)")
end
local function opsctl_clear_prefix_of(jobKey, jobId)
  return string.sub(jobKey, 1, #jobKey - #jobId)
end

-- A call on data opsctl did not write (another job's sub-key, a dedup key) may meet a key of the
-- wrong type: an error there would abort the script half-way, so it counts as "nothing there".
local function opsctl_clear_try(...)
  local r = redis.pcall(...)
  if type(r) == "table" and r.err then return nil end
  return r
end

local function opsctl_clear_delete_keys(jobKey)
  return rcall("DEL", jobKey, jobKey .. ":logs", jobKey .. ":dependencies", jobKey .. ":processed",
    jobKey .. ":failed", jobKey .. ":unsuccessful")
end

-- de:<id> (and the dn:<id> of keepLastIfActive) go only while they still point at this job, so
-- a newer job holding the same deduplication id keeps its entry.
local function opsctl_clear_dedup(prefix, jobId, dedupId)
  if not dedupId then return end
  local key = prefix .. "de:" .. dedupId
  if opsctl_clear_try("GET", key) == jobId then
    rcall("DEL", key, prefix .. "dn:" .. dedupId)
  end
end

-- A parent whose last pending child went away runs next: RPUSH (head of wait), as BullMQ does.
local function opsctl_clear_parent_to_wait(parentPrefix, parentId, emitEvent)
  local pausedOrMaxed = opsctl_paused_or_maxed(parentPrefix .. "meta", parentPrefix .. "active")
  rcall("RPUSH", parentPrefix .. "wait", parentId)
  opsctl_add_ready_marker(parentPrefix .. "marker", pausedOrMaxed)
  if emitEvent then
    rcall("XADD", parentPrefix .. "events", "MAXLEN", "~", opsctl_max_events(parentPrefix .. "meta"), "*",
      "event", "waiting", "jobId", parentId, "prev", "waiting-children")
  end
end

local opsctl_clear_unlink_from_parent

-- Drops jobKey from parentKey's pending dependencies. When it was the last one and the parent
-- waits for children: a hard removal (clean, obliterate) deletes a parent of the same queue
-- (baseKey) and recursively its own link, and sends another queue's parent to its wait list; a
-- soft one (job remove) sends the parent to wait with a `waiting` event.
local function opsctl_clear_unlink(jobKey, parentKey, hard, baseKey)
  local deps = parentKey .. ":dependencies"
  if opsctl_clear_try("SREM", deps, jobKey) ~= 1 then return end
  if rcall("SCARD", deps) > 0 then return end
  local parentId = opsctl_clear_id_of(parentKey)
  local parentPrefix = opsctl_clear_prefix_of(parentKey, parentId)
  if opsctl_clear_try("ZREM", parentPrefix .. "waiting-children", parentId) ~= 1 then return end
  if hard and parentPrefix == baseKey then
    opsctl_clear_unlink_from_parent(parentKey, hard, baseKey)
    opsctl_clear_dedup(parentPrefix, parentId, opsctl_clear_try("HGET", parentKey, "deid"))
    opsctl_clear_delete_keys(parentKey)
  else
    opsctl_clear_parent_to_wait(parentPrefix, parentId, not hard)
  end
end

-- The same, for a job that names its parent in its own `parentKey` field (ignored when the parent
-- hash is gone).
opsctl_clear_unlink_from_parent = function(jobKey, hard, baseKey, parentKey)
  if parentKey == nil then parentKey = opsctl_clear_try("HGET", jobKey, "parentKey") end
  if type(parentKey) == "string" and parentKey ~= "" and rcall("EXISTS", parentKey) == 1 then
    opsctl_clear_unlink(jobKey, parentKey, hard, baseKey)
  end
end

-- Hard removal of a job already checked to be a hash (clean, obliterate): parentKey and dedupId
-- are its `parentKey` and `deid` fields (false when absent). The caller removes the id from its state.
local function opsctl_clear_remove_hard(baseKey, jobId, parentKey, dedupId)
  local jobKey = baseKey .. jobId
  opsctl_clear_unlink_from_parent(jobKey, true, baseKey, parentKey or "")
  opsctl_clear_dedup(baseKey, jobId, dedupId)
  opsctl_clear_delete_keys(jobKey)
end

-- The current job of a Job Scheduler ("repeat:<scheduler id>:<next millis>"): never removed by a
-- clean of an unfinished state, nor by job remove.
local function opsctl_clear_is_scheduler_job(jobId, schedulerId, repeatKey)
  if not schedulerId then return false end
  local millis = rcall("ZSCORE", repeatKey, schedulerId)
  return millis ~= false and millis ~= nil and jobId == ("repeat:" .. schedulerId .. ":" .. millis)
end
