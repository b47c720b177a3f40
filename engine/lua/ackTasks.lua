-- ackTasks: remove finished tasks from a worker's processing list and count
-- them. One call acknowledges a batch, so a busy worker pays one round trip
-- for many tasks.
--
-- KEYS[1] processing list of this incarnation
-- KEYS[2] stats hash
-- KEYS[3] recoveries hash (taskId -> times requeued from dead workers)
-- KEYS[4] audit hash (taskId -> completion count)
-- ARGV[1] audit retention in ms: above 0, completions are counted per task id
--         in the audit hash, which expires this long after its last write;
--         0 turns the audit off
-- ARGV[2], ARGV[3] first envelope exactly as claimed, and its task id
-- ARGV[4], ARGV[5] ... further pairs
--
-- Returns one code per task: 1 acknowledged, -1 lease lost.
--
-- LREM removes the exact claimed string from this worker's own list only.
-- When the master has requeued the list, the string is gone from it and the
-- ack removes nothing: a late worker can never remove another delivery of the
-- same task from pending or from another worker's list.
local processingKey = KEYS[1]
local statsKey = KEYS[2]
local recoveriesKey = KEYS[3]
local auditKey = KEYS[4]
local auditRetentionMs = tonumber(ARGV[1])
local auditOn = auditRetentionMs > 0

local hasRecoveries = redis.call('EXISTS', recoveriesKey) == 1
local codes = {}
local completedCount = 0
local leaseLostCount = 0
local duplicateCount = 0

for i = 2, #ARGV, 2 do
  local envelope = ARGV[i]
  local taskId = ARGV[i + 1]
  if redis.call('LREM', processingKey, -1, envelope) == 1 then
    completedCount = completedCount + 1
    codes[#codes + 1] = 1
    if hasRecoveries then
      redis.call('HDEL', recoveriesKey, taskId)
    end
    if auditOn and redis.call('HINCRBY', auditKey, taskId, 1) > 1 then
      duplicateCount = duplicateCount + 1
    end
  else
    leaseLostCount = leaseLostCount + 1
    codes[#codes + 1] = -1
  end
end

if completedCount > 0 then
  redis.call('HINCRBY', statsKey, 'completed', completedCount)
end
if leaseLostCount > 0 then
  redis.call('HINCRBY', statsKey, 'leaseLost', leaseLostCount)
end
if duplicateCount > 0 then
  redis.call('HINCRBY', statsKey, 'duplicateCompletions', duplicateCount)
end
if auditOn and completedCount > 0 then
  redis.call('PEXPIRE', auditKey, auditRetentionMs)
end
return codes
