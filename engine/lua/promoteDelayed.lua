-- promoteDelayed: move retries whose backoff has passed from the delayed set
-- onto pending.
--
-- KEYS[1] delayed sorted set (score: due time in ms since the epoch)
-- KEYS[2] pending list
-- KEYS[3] master lease key
-- ARGV[1] current time in ms since the epoch
-- ARGV[2] maximum number of entries to move in this call
-- ARGV[3] lease token of the calling master
--
-- Returns the number moved, or -4 when the caller does not hold the lease.
--
-- Promoted tasks enter at the left like new tasks, so a burst of retries
-- cannot starve work that was already waiting.
local delayedKey = KEYS[1]
local pendingKey = KEYS[2]
local masterKey = KEYS[3]
local nowMs = ARGV[1]
local maxCount = tonumber(ARGV[2])
local leaseToken = ARGV[3]

if redis.call('GET', masterKey) ~= leaseToken then
  return -4
end

local due = redis.call('ZRANGEBYSCORE', delayedKey, '-inf', nowMs, 'LIMIT', 0, maxCount)
for _, entry in ipairs(due) do
  redis.call('ZREM', delayedKey, entry)
  redis.call('LPUSH', pendingKey, entry)
end
return #due
