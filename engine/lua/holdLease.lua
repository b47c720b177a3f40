-- holdLease: acquire the master lease when it is free, or renew it when the
-- caller already holds it.
--
-- KEYS[1] master lease key
-- ARGV[1] lease token of the calling master
-- ARGV[2] lease TTL in ms
--
-- Returns 1 when the caller holds the lease after the call, 0 when another
-- master holds it.
local masterKey = KEYS[1]
local leaseToken = ARGV[1]
local leaseTtlMs = ARGV[2]

local holder = redis.call('GET', masterKey)
if holder and holder ~= leaseToken then
  return 0
end
redis.call('SET', masterKey, leaseToken, 'PX', leaseTtlMs)
return 1
