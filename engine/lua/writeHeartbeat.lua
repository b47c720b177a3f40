-- writeHeartbeat: renew a worker's heartbeat, unless the worker was already
-- declared dead.
--
-- KEYS[1] heartbeat key of this incarnation
-- KEYS[2] workers registry hash
-- ARGV[1] workerKey
-- ARGV[2] heartbeat TTL in ms
-- ARGV[3] heartbeat value: the worker's clock in ms, for display only
--
-- Returns 1 when renewed, -2 (fenced) when the registry entry or the heartbeat
-- key is gone.
--
-- A missing heartbeat means the TTL ran out: the master may already be
-- requeueing this worker's tasks, so writing a new heartbeat would make a
-- worker look alive while its tasks run elsewhere. The worker must instead
-- fence itself and start over as a new incarnation.
local heartbeatKey = KEYS[1]
local workersKey = KEYS[2]
local workerKey = ARGV[1]
local heartbeatTtlMs = ARGV[2]
local nowMs = ARGV[3]

if redis.call('HEXISTS', workersKey, workerKey) == 0 then
  return -2
end
if redis.call('EXISTS', heartbeatKey) == 0 then
  return -2
end
redis.call('SET', heartbeatKey, nowMs, 'PX', heartbeatTtlMs)
return 1
