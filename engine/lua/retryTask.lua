-- retryTask: after a handler failure, move the task from the worker's
-- processing list into the delayed set, with its attempt incremented, to run
-- again when its backoff has passed.
--
-- KEYS[1] processing list of this incarnation
-- KEYS[2] delayed sorted set
-- KEYS[3] stats hash
-- ARGV[1] envelope exactly as claimed
-- ARGV[2] envelope of the next attempt
-- ARGV[3] due time of the next attempt, ms since the epoch
--
-- Returns 1, or -1 (lease lost) when the claimed envelope is no longer in the
-- processing list because the master requeued it.
local processingKey = KEYS[1]
local delayedKey = KEYS[2]
local statsKey = KEYS[3]
local claimedEnvelope = ARGV[1]
local nextEnvelope = ARGV[2]
local dueAtMs = tonumber(ARGV[3])

if redis.call('LREM', processingKey, -1, claimedEnvelope) == 0 then
  redis.call('HINCRBY', statsKey, 'leaseLost', 1)
  return -1
end
redis.call('ZADD', delayedKey, dueAtMs, nextEnvelope)
redis.call('HINCRBY', statsKey, 'failed', 1)
redis.call('HINCRBY', statsKey, 'retried', 1)
return 1
