-- releaseLease: give up the master lease so a standby can take over at once.
--
-- KEYS[1] master lease key
-- ARGV[1] lease token of the calling master
--
-- Returns 1 when released, 0 when the caller did not hold it.
local masterKey = KEYS[1]
local leaseToken = ARGV[1]

if redis.call('GET', masterKey) ~= leaseToken then
  return 0
end
redis.call('DEL', masterKey)
return 1
