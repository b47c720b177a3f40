-- requeueOrphans: move the tasks of a dead worker (or of a worker releasing
-- its own list) back to pending, one bounded chunk per call, and remove the
-- worker from the registry once its list is empty.
--
-- KEYS[1] processing list of the worker
-- KEYS[2] heartbeat key of the worker
-- KEYS[3] workers registry hash
-- KEYS[4] pending list
-- KEYS[5] dead-letter list
-- KEYS[6] stats hash
-- KEYS[7] recoveries hash (taskId -> times requeued from dead workers)
-- KEYS[8] master lease key
-- ARGV[1] workerKey
-- ARGV[2] maximum number of entries to move in this call
-- ARGV[3] default maximum attempts, for envelopes that carry none
-- ARGV[4] lease token of the calling master; "" when a worker releases its own list
-- ARGV[5] "1" when the worker itself releases its list (graceful stop or
--         fencing): skips the heartbeat check and counts no recovery
-- ARGV[6] current time in ms since the epoch, for dead-letter records
-- ARGV[7] maximum length of the dead-letter list
--
-- Returns {code, requeuedCount, deadLetteredCount, remainingCount}. code is 1
-- when it acted, 0 when the worker is alive (heartbeat present), -4 when the
-- caller does not hold the master lease.
--
-- Entries are taken from the left (newest claim) and appended to the right of
-- pending, so the oldest claim ends up rightmost and is claimed next: recovered
-- tasks run before newer work. The lease and heartbeat checks run in the same
-- atomic step as the move, so two masters never both requeue and a worker that
-- renewed its heartbeat in time keeps its tasks. A task whose workers died on
-- each of its allowed attempts is a poison task and is dead-lettered.
local processingKey = KEYS[1]
local heartbeatKey = KEYS[2]
local workersKey = KEYS[3]
local pendingKey = KEYS[4]
local deadKey = KEYS[5]
local statsKey = KEYS[6]
local recoveriesKey = KEYS[7]
local masterKey = KEYS[8]
local workerKey = ARGV[1]
local chunkSize = tonumber(ARGV[2])
local defaultMaxAttempts = tonumber(ARGV[3])
local leaseToken = ARGV[4]
local selfRelease = ARGV[5] == '1'
local nowMs = tonumber(ARGV[6])
local deadMaxLength = tonumber(ARGV[7])

if leaseToken ~= '' and redis.call('GET', masterKey) ~= leaseToken then
  return {-4, 0, 0, 0}
end
if not selfRelease and redis.call('EXISTS', heartbeatKey) == 1 then
  return {0, 0, 0, redis.call('LLEN', processingKey)}
end

local requeuedCount = 0
local deadLetteredCount = 0
for _ = 1, chunkSize do
  local entry = redis.call('LPOP', processingKey)
  if not entry then
    break
  end

  local poison = false
  local recoveryCount = 0
  local ok, envelope = pcall(cjson.decode, entry)
  local taskId = ok and type(envelope) == 'table' and type(envelope.id) == 'string' and envelope.id or nil
  if taskId and not selfRelease then
    recoveryCount = redis.call('HINCRBY', recoveriesKey, taskId, 1)
    local maxAttempts = tonumber(envelope.maxAttempts) or defaultMaxAttempts
    if maxAttempts < 1 then
      maxAttempts = defaultMaxAttempts
    end
    local attempt = tonumber(envelope.attempt) or 1
    poison = attempt - 1 + recoveryCount >= maxAttempts
  end

  if poison then
    local reason = 'poison task: its worker died during each of its ' .. recoveryCount ..
      ' recovered executions (last worker ' .. workerKey .. ')'
    redis.call('LPUSH', deadKey, cjson.encode({ entry = entry, reason = reason, at = nowMs, taskId = taskId }))
    redis.call('LTRIM', deadKey, 0, deadMaxLength - 1)
    redis.call('HDEL', recoveriesKey, taskId)
    deadLetteredCount = deadLetteredCount + 1
  else
    redis.call('RPUSH', pendingKey, entry)
    requeuedCount = requeuedCount + 1
  end
end

if requeuedCount > 0 and not selfRelease then
  redis.call('HINCRBY', statsKey, 'recovered', requeuedCount)
end
if requeuedCount > 0 and selfRelease then
  redis.call('HINCRBY', statsKey, 'released', requeuedCount)
end
if deadLetteredCount > 0 then
  redis.call('HINCRBY', statsKey, 'dead', deadLetteredCount)
end

local remainingCount = redis.call('LLEN', processingKey)
if remainingCount == 0 then
  redis.call('HDEL', workersKey, workerKey)
  redis.call('DEL', heartbeatKey)
end
return {1, requeuedCount, deadLetteredCount, remainingCount}
