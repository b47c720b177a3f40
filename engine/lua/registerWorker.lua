-- registerWorker: add a worker incarnation to the registry and write its
-- first heartbeat, so the master can see it before it claims anything.
--
-- KEYS[1] workers registry hash
-- KEYS[2] heartbeat key of this incarnation
-- ARGV[1] workerKey (name:incarnation)
-- ARGV[2] worker description, JSON
-- ARGV[3] heartbeat TTL in ms
-- ARGV[4] heartbeat value: the worker's clock in ms, for display only
--
-- Returns 1.
local workersKey = KEYS[1]
local heartbeatKey = KEYS[2]
local workerKey = ARGV[1]
local description = ARGV[2]
local heartbeatTtlMs = ARGV[3]
local nowMs = ARGV[4]

redis.call('HSET', workersKey, workerKey, description)
redis.call('SET', heartbeatKey, nowMs, 'PX', heartbeatTtlMs)
return 1
