-- Which BullMQ wrote the queue, for the transitions where BullMQ 5 and 6 differ (docs/bullmq-keys.md
-- section 7). Expects `local rcall = redis.call`.

-- True when meta.version names BullMQ 5 or older ("bullmq:5.81.3"). A queue without a version (only
-- workers touched it), or with another tag (BullMQ Pro numbers its releases its own way), is not:
-- opsctl then does what BullMQ 6 does.
local function opsctl_is_bullmq5(metaKey)
  local version = rcall("HGET", metaKey, "version")
  local major = version and tonumber(string.match(version, "^bullmq:(%d+)%."))
  return major ~= nil and major < 6
end
