--[[
  opsctl queue retry: one bounded batch of finished jobs (failed or completed) back to waiting,
  with the end state of BullMQ's Queue.retryJobs (moveJobsToWait): per job HDEL finishedOn,
  processedOn and failedReason (completed: returnvalue), attempts kept unless asked; flow children
  back into their parent's dependencies (BullMQ 6 does that, BullMQ 5 does not: not on a queue whose
  meta.version names BullMQ 5); one `waiting` event with prev=<state>; then ZREM from the
  state set and LPUSH to wait (paused list on a paused BullMQ 5 queue), then the ready marker
  unless the queue is paused or at its global concurrency. Like retryJobs, priority is ignored.

  Each job is checked here, inside the call: it must still be in the state set with a score in
  [min, max] (the finishedOn window) and its key must be a hash. Others are skipped and reported.

  KEYS[1] state zset   KEYS[2] wait   KEYS[3] paused   KEYS[4] meta   KEYS[5] active
  KEYS[6] marker       KEYS[7] events
  ARGV[1] job key base "<prefix>:<queue>:"
  ARGV[2] state name: failed | completed
  ARGV[3] max score (finishedOn cutoff, ms)
  ARGV[4] "1": also delete atm and ats (reset attempts)
  ARGV[5] "1": a paused queue keeps its jobs in the legacy paused list
  ARGV[6] how many moved ids to send back as a sample
  ARGV[7] min score (finishedOn >= this, ms: --since; "0" without it)
  ARGV[8] mode: "range" -> ARGV[9] cursor score (never below ARGV[7]), ARGV[10] offset, ARGV[11]
          count: the next page of the state set, read here; "ids" -> ARGV[9..] the ids to retry
          (already filtered by the caller)

  Returns { moved, ids considered, score of the last one, {note ids}, {note codes}, {note scores},
  microseconds this call ran }. Notes are every job not moved (code 0: no longer in the state set
  within the window; -1: no job hash; -2: key not a hash) and the first ARGV[6] moved (code 1), so
  the reply stays small. The caller sizes its next batch from the time (TIME is not frozen in a
  script).
]]
local rcall = redis.call
local started = rcall("TIME")

--- @include "queue_state"
--- @include "bullmq_major"
--- @include "retry_parent"
--- @include "retry_target"

local stateKey, waitKey, pausedKey, metaKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local base, state, maxScore = ARGV[1], ARGV[2], tonumber(ARGV[3])
local minScore = tonumber(ARGV[7])
local sampleWanted, range = tonumber(ARGV[6]), ARGV[8] == "range"

-- A wrong type would fail a command half-way through the batch: check them all before any write.
opsctl_retry_require_type(metaKey, "hash")
local targetKey = opsctl_retry_target_list(waitKey, pausedKey, metaKey, ARGV[5])
local restoreParents = not opsctl_is_bullmq5(metaKey)
opsctl_retry_require_types({stateKey, "zset", targetKey, "list", KEYS[5], "list", KEYS[6], "zset", KEYS[7], "stream"})

-- The jobs of this call. In range mode the page is read here, without scores: the cursor needs only
-- the last one, and a skipped job's own (rare) ZSCORE.
local ids, lastScore
if range then
  ids = rcall("ZRANGEBYSCORE", stateKey, ARGV[9], ARGV[3], "LIMIT", ARGV[10], ARGV[11])
  lastScore = ids[1] and rcall("ZSCORE", stateKey, ids[#ids]) or ""
else
  ids = {}
  for i = 9, #ARGV do ids[i - 8] = ARGV[i] end
  lastScore = ""
end

local fields = {"finishedOn", "processedOn", state == "completed" and "returnvalue" or "failedReason"}
if ARGV[4] == "1" then
  fields[4] = "atm"
  fields[5] = "ats"
end

local moved, nMoved, notes, nNotes, seen = {}, 0, {{}, {}, {}}, 0, {}
local maxEvents
for _, id in ipairs(ids) do
  local code, score = 1, nil
  if not range then
    score = not seen[id] and rcall("ZSCORE", stateKey, id)
    seen[id] = true
    local s = score and tonumber(score)
    if not s or s < minScore or s > maxScore then code = 0 end
  end
  if code == 1 then
    local jobKey = base .. id
    -- HDEL both checks the type (error reply) and clears the fields; 0 deleted needs a look.
    local n = redis.pcall("HDEL", jobKey, unpack(fields))
    if type(n) == "table" then
      code = -2
    elseif n == 0 and rcall("EXISTS", jobKey) == 0 then
      code = -1
    else
      if restoreParents then opsctl_retry_restore_parent(jobKey, state) end
      maxEvents = maxEvents or opsctl_max_events(metaKey)
      rcall("XADD", KEYS[7], "MAXLEN", "~", maxEvents, "*", "event", "waiting", "jobId", id, "prev", state)
      nMoved = nMoved + 1
      moved[nMoved] = id
    end
  end
  if code ~= 1 or nMoved <= sampleWanted then
    nNotes = nNotes + 1
    notes[1][nNotes] = id
    notes[2][nNotes] = code
    notes[3][nNotes] = score or (code < 0 and rcall("ZSCORE", stateKey, id)) or ""
  end
end

-- ZREM and LPUSH take many ids per call; 5000 stays under Lua's unpack limit.
for from = 1, nMoved, 5000 do
  local to = math.min(from + 4999, nMoved)
  rcall("ZREM", stateKey, unpack(moved, from, to))
  rcall("LPUSH", targetKey, unpack(moved, from, to))
end
if nMoved > 0 then opsctl_add_ready_marker(KEYS[6], opsctl_paused_or_maxed(metaKey, KEYS[5])) end

local now = rcall("TIME")
return {nMoved, #ids, lastScore, notes[1], notes[2], notes[3],
  (now[1] - started[1]) * 1000000 + (now[2] - started[2])}
