-- A retried flow child becomes a pending dependency of its parent again (as BullMQ 6.7 does when
-- it retries a child): it leaves the parent's :unsuccessful/:failed (was failed) or :processed
-- (was completed) and rejoins :dependencies. A parent that already left waiting-children is not
-- moved back. Sub-keys of the wrong type are left alone (pcall): the child still moves.
local function opsctl_retry_restore_parent(jobKey, prevState)
  local parentKey = rcall("HGET", jobKey, "parentKey")
  if not parentKey or rcall("EXISTS", parentKey) ~= 1 then return end
  local released
  if prevState == "failed" then
    released = redis.pcall("ZREM", parentKey .. ":unsuccessful", jobKey) == 1 or
      redis.pcall("HDEL", parentKey .. ":failed", jobKey) == 1
  else
    released = redis.pcall("HDEL", parentKey .. ":processed", jobKey) == 1
  end
  if released then redis.pcall("SADD", parentKey .. ":dependencies", jobKey) end
end
