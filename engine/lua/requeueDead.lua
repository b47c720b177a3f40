-- requeueDead: move dead-letter records back onto pending as fresh tasks.
--
-- KEYS[1] dead-letter list
-- KEYS[2] pending list
-- KEYS[3] stats hash
-- ARGV[1], ARGV[2] first dead-letter record exactly as stored, and the entry to push onto pending
-- ARGV[3], ARGV[4] ... further pairs
--
-- Returns the number of records moved.
--
-- Each record is removed and its entry pushed in the same atomic step, so a
-- record requeued by two operators at once is pushed only once. The caller
-- rewrites the entry (attempt reset to 1) in Node because cjson would change
-- payloads (empty arrays become objects, big integers lose precision).
local deadKey = KEYS[1]
local pendingKey = KEYS[2]
local statsKey = KEYS[3]

local movedCount = 0
for i = 1, #ARGV, 2 do
  if redis.call('LREM', deadKey, 1, ARGV[i]) == 1 then
    redis.call('LPUSH', pendingKey, ARGV[i + 1])
    movedCount = movedCount + 1
  end
end
if movedCount > 0 then
  redis.call('HINCRBY', statsKey, 'dead', -movedCount)
  redis.call('HINCRBY', statsKey, 'deadRequeued', movedCount)
end
return movedCount
