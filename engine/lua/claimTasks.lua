-- claimTasks: move up to N envelopes from pending into one worker's
-- processing list without blocking. Workers call it while they have free
-- slots; when it returns nothing they fall back to a blocking BLMOVE.
--
-- KEYS[1] pending list
-- KEYS[2] processing list of this incarnation
-- KEYS[3] workers registry hash
-- KEYS[4] paused flag
-- KEYS[5] heartbeat key of this incarnation
-- ARGV[1] workerKey
-- ARGV[2] maximum number of envelopes to claim
--
-- Returns {code, envelope...}: code 1 with zero or more envelopes, -2 (fenced)
-- when this incarnation is not registered or its heartbeat expired, -3
-- (paused) when the queue is paused.
--
-- The registry check keeps a worker that was declared dead from claiming into
-- a processing list that no master will ever sweep again. The heartbeat check
-- keeps a worker whose TTL ran out (the master may be requeueing its list)
-- from starting tasks before it learns that it must fence itself.
local pendingKey = KEYS[1]
local processingKey = KEYS[2]
local workersKey = KEYS[3]
local pausedKey = KEYS[4]
local heartbeatKey = KEYS[5]
local workerKey = ARGV[1]
local maxCount = tonumber(ARGV[2])

if redis.call('HEXISTS', workersKey, workerKey) == 0 or redis.call('EXISTS', heartbeatKey) == 0 then
  return {-2}
end
if redis.call('EXISTS', pausedKey) == 1 then
  return {-3}
end

local result = {1}
for _ = 1, maxCount do
  local envelope = redis.call('LMOVE', pendingKey, processingKey, 'RIGHT', 'LEFT')
  if not envelope then
    break
  end
  result[#result + 1] = envelope
end
return result
