-- Helpers of the queue-state scripts (pause, resume, promote, unstick). Expects `local rcall = redis.call`.

-- The list a job that becomes waiting goes to. A BullMQ 5 (or unknown-version) queue that is paused
-- keeps its waiting jobs in the `paused` list, which its own resume renames back to wait; a BullMQ 6
-- queue keeps them in `wait` (docs/bullmq-keys.md section 2). mode is "legacy" or "v6", chosen by opsctl from
-- meta.version; the paused flag itself is read here, at the moment of the move.
local function state_target_list(mode, metaKey, waitKey, pausedKey)
  if mode == "legacy" and rcall("HEXISTS", metaKey, "paused") == 1 then return pausedKey end
  return waitKey
end

-- nil when jobKey is a job hash, else why the job must be skipped.
local function state_job_problem(jobKey)
  local n = redis.pcall("HLEN", jobKey)
  if type(n) == "number" then
    if n > 0 then return nil end
    return "no job hash (orphan id)"
  end
  return "job key is a " .. rcall("TYPE", jobKey)["ok"] .. ", not a hash"
end

-- Moves up to `batch` ids from the head of list src to the head of list dst, so src's jobs keep
-- their order and run before dst's. RENAME when dst is absent: O(1), and nothing can be overwritten.
-- Returns how many ids moved and how many are left in src.
local function state_merge_list(src, dst, batch)
  local n = rcall("LLEN", src)
  if n == 0 then return 0, 0 end
  if rcall("EXISTS", dst) == 0 then
    rcall("RENAME", src, dst)
    return n, 0
  end
  -- Index 0 is src's tail (LPUSH side). Appending tail-first chunks to dst's head end leaves, once
  -- src is empty, src's jobs in their own order in front of dst's (BullMQ 6's resume does the same).
  local ids = rcall("LRANGE", src, 0, batch - 1)
  rcall("RPUSH", dst, unpack(ids))
  rcall("LTRIM", src, #ids, -1)
  return #ids, n - #ids
end
