-- enqueueTasks: push task envelopes onto pending, or into the delayed set when
-- they are due later, and count them, in one atomic step.
--
-- KEYS[1] pending list
-- KEYS[2] delayed sorted set
-- KEYS[3] stats hash
-- ARGV[1] due time in ms since the epoch; 0 means "now" (push onto pending)
-- ARGV[2..n] envelopes (JSON strings)
--
-- Returns the number of envelopes pushed.
--
-- New tasks enter at the left of pending; workers claim from the right, so
-- pending is first in, first out. LPUSH takes the envelopes in slices because
-- unpack() of thousands of values would overflow the Lua stack.
local pendingKey = KEYS[1]
local delayedKey = KEYS[2]
local statsKey = KEYS[3]
local dueAtMs = tonumber(ARGV[1])

local count = #ARGV - 1
if dueAtMs > 0 then
  for i = 2, #ARGV do
    redis.call('ZADD', delayedKey, dueAtMs, ARGV[i])
  end
else
  local sliceSize = 200
  for first = 2, #ARGV, sliceSize do
    local last = math.min(first + sliceSize - 1, #ARGV)
    redis.call('LPUSH', pendingKey, unpack(ARGV, first, last))
  end
end
redis.call('HINCRBY', statsKey, 'enqueued', count)
return count
