-- Where a retried job waits, and the guard against writing into keys of the wrong type.
-- BullMQ 6 keeps a paused queue's jobs in `wait`; BullMQ 5 (and a queue of unknown version, to be
-- safe) in the `paused` list, which resume renames over `wait` (docs/bullmq-keys.md section 2).

-- Fails the whole call, before any write, when key exists with another type than wanted.
local function opsctl_retry_require_type(key, wanted)
  local t = rcall("TYPE", key)["ok"]
  if t ~= "none" and t ~= wanted then
    error({err = "ERR opsctl: key " .. key .. " is a " .. t .. ", expected a " .. wanted .. "; nothing was changed"})
  end
end

-- The same for pairs key, type, key, type...
local function opsctl_retry_require_types(list)
  for i = 1, #list, 2 do opsctl_retry_require_type(list[i], list[i + 1]) end
end

-- The list a ready job goes to: `paused` only for a paused queue that uses the legacy list.
local function opsctl_retry_target_list(waitKey, pausedKey, metaKey, legacyPausedList)
  if legacyPausedList == "1" and rcall("HEXISTS", metaKey, "paused") == 1 then return pausedKey end
  return waitKey
end
