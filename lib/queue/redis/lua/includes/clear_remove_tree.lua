-- Removing a job with its children, as BullMQ's Queue.remove(id, {removeChildren: true}) does
-- (its includes/removeJobWithChildren, removeJobFromAnyState and isLocked).
-- Expects `local rcall = redis.call` and the queue_state and clear_remove includes.

local opsctl_remove_states = {"completed", "waiting-children", "delayed", "failed", "prioritized"}
local opsctl_remove_lists = {"wait", "paused", "active"}

-- The first state holding the id, in BullMQ's order, without changing anything; nil when none.
local function opsctl_remove_find_state(prefix, jobId)
  for _, s in ipairs(opsctl_remove_states) do
    if opsctl_clear_try("ZSCORE", prefix .. s, jobId) then return s end
  end
  for _, s in ipairs(opsctl_remove_lists) do
    if opsctl_clear_try("LPOS", prefix .. s, jobId) then return s end
  end
  return nil
end

-- Takes the id out of the first state holding it; returns that state's raw name or "unknown".
local function opsctl_remove_from_state(prefix, jobId)
  for _, s in ipairs(opsctl_remove_states) do
    if opsctl_clear_try("ZREM", prefix .. s, jobId) == 1 then return s end
  end
  for _, s in ipairs(opsctl_remove_lists) do
    if opsctl_clear_try("LREM", prefix .. s, 1, jobId) == 1 then return s end
  end
  return "unknown"
end

-- The key of a lock held on the job or, recursively, on one of its pending children; nil if none.
local function opsctl_remove_locked_key(jobKey)
  if rcall("EXISTS", jobKey .. ":lock") == 1 then return jobKey end
  local children = opsctl_clear_try("SMEMBERS", jobKey .. ":dependencies") or {}
  for _, childKey in ipairs(children) do
    local locked = opsctl_remove_locked_key(childKey)
    if locked then return locked end
  end
  return nil
end

local opsctl_remove_tree

-- Children first, depth first: processed, failed (ignored on failure), unsuccessful, pending.
local function opsctl_remove_children(jobKey, problems)
  local function each(childKey)
    local childId = opsctl_clear_id_of(childKey)
    opsctl_remove_tree(opsctl_clear_prefix_of(childKey, childId), childId, jobKey, problems)
  end
  for _, suffix in ipairs({":processed", ":failed"}) do
    local h = opsctl_clear_try("HGETALL", jobKey .. suffix) or {}
    for i = 1, #h, 2 do each(h[i]) end
  end
  for _, childKey in ipairs(opsctl_clear_try("ZRANGE", jobKey .. ":unsuccessful", 0, -1) or {}) do each(childKey) end
  for _, childKey in ipairs(opsctl_clear_try("SMEMBERS", jobKey .. ":dependencies") or {}) do each(childKey) end
end

-- Removes the job (prefix .. jobId) and its children. parentKey is set for a child being removed
-- with its parent, nil for the job asked for (whose own parent may then be released to wait).
-- Emits `removed` (prev = the state it was taken from) when the job had keys. Returns prev.
opsctl_remove_tree = function(prefix, jobId, parentKey, problems)
  local jobKey = prefix .. jobId
  local keyType = rcall("TYPE", jobKey)["ok"]
  if keyType ~= "hash" and keyType ~= "none" then
    problems[#problems + 1] = jobKey
    problems[#problems + 1] = keyType
    return "unknown"
  end
  if parentKey then
    opsctl_clear_unlink(jobKey, parentKey, false, nil)
  else
    opsctl_clear_unlink_from_parent(jobKey, false, nil)
  end
  opsctl_remove_children(jobKey, problems)
  local prev = opsctl_remove_from_state(prefix, jobId)
  opsctl_clear_dedup(prefix, jobId, rcall("HGET", jobKey, "deid"))
  if opsctl_clear_delete_keys(jobKey) > 0 then
    rcall("XADD", prefix .. "events", "MAXLEN", "~", opsctl_max_events(prefix .. "meta"), "*",
      "event", "removed", "jobId", jobId, "prev", prev)
  end
  return prev
end
