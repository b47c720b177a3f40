-- deadLetter: move a claimed entry that cannot run (invalid envelope, unknown
-- task name, or out of attempts) from the worker's processing list to the
-- dead-letter list, with the reason.
--
-- KEYS[1] processing list of this incarnation
-- KEYS[2] dead-letter list
-- KEYS[3] stats hash
-- KEYS[4] recoveries hash
-- ARGV[1] entry exactly as claimed
-- ARGV[2] dead-letter record, JSON: the entry, the reason and the time
-- ARGV[3] task id, or "" when the entry did not decode
-- ARGV[4] "1" when a handler failure led here (counted as failed too), else "0"
-- ARGV[5] maximum length of the dead-letter list; older records are trimmed
--
-- Returns 1, or -1 (lease lost) when the entry is no longer in the processing
-- list because the master requeued it.
local processingKey = KEYS[1]
local deadKey = KEYS[2]
local statsKey = KEYS[3]
local recoveriesKey = KEYS[4]
local claimedEntry = ARGV[1]
local record = ARGV[2]
local taskId = ARGV[3]
local countAsFailed = ARGV[4] == '1'
local deadMaxLength = tonumber(ARGV[5])

if redis.call('LREM', processingKey, -1, claimedEntry) == 0 then
  redis.call('HINCRBY', statsKey, 'leaseLost', 1)
  return -1
end
redis.call('LPUSH', deadKey, record)
redis.call('LTRIM', deadKey, 0, deadMaxLength - 1)
redis.call('HINCRBY', statsKey, 'dead', 1)
if countAsFailed then
  redis.call('HINCRBY', statsKey, 'failed', 1)
end
if taskId ~= '' then
  redis.call('HDEL', recoveriesKey, taskId)
end
return 1
