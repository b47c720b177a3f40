-- readSnapshot: read everything a console or `status` shows in one atomic
-- step, at a cost that does not depend on the length of any list.
--
-- KEYS[1] pending list
-- KEYS[2] delayed sorted set
-- KEYS[3] dead-letter list
-- KEYS[4] stats hash
-- KEYS[5] workers registry hash
-- KEYS[6] master lease key
-- KEYS[7] paused flag
-- KEYS[8] events stream
-- ARGV[1] key base "prefix:{queue}", to derive each worker's processing and heartbeat keys
-- ARGV[2] number of envelopes to return from the head of pending
-- ARGV[3] number of envelopes to return per worker's processing list
-- ARGV[4] maximum number of workers to return rows for
-- ARGV[5] number of recent events to return
--
-- Returns a JSON object (see engine/monitor.ts for its fields).
--
-- Because the read is atomic, pending + processing + delayed + dead +
-- completed add up exactly: no task is seen twice or missed while it moves.
-- LLEN, ZCARD and bounded LRANGE keep the cost independent of queue length;
-- it grows only with the number of registered workers.
local pendingKey = KEYS[1]
local delayedKey = KEYS[2]
local deadKey = KEYS[3]
local statsKey = KEYS[4]
local workersKey = KEYS[5]
local masterKey = KEYS[6]
local pausedKey = KEYS[7]
local eventsKey = KEYS[8]
local keyBase = ARGV[1]
local headCount = tonumber(ARGV[2])
local rowsPerWorker = tonumber(ARGV[3])
local maxWorkerRows = tonumber(ARGV[4])
local eventCount = tonumber(ARGV[5])

local workers = {}
local processingCount = 0
local registry = redis.call('HGETALL', workersKey)
for i = 1, #registry, 2 do
  local workerKey = registry[i]
  local processingKey = keyBase .. ':processing:' .. workerKey
  local length = redis.call('LLEN', processingKey)
  processingCount = processingCount + length
  if #workers < maxWorkerRows then
    workers[#workers + 1] = {
      key = workerKey,
      description = registry[i + 1],
      heartbeatTtlLeftMs = redis.call('PTTL', keyBase .. ':heartbeat:' .. workerKey),
      heartbeatValue = redis.call('GET', keyBase .. ':heartbeat:' .. workerKey) or '',
      processingCount = length,
      processing = length > 0 and redis.call('LRANGE', processingKey, -rowsPerWorker, -1) or {},
    }
  end
end

local events = {}
if eventCount > 0 then
  events = redis.call('XREVRANGE', eventsKey, '+', '-', 'COUNT', eventCount)
end

local time = redis.call('TIME')
return cjson.encode({
  pendingCount = redis.call('LLEN', pendingKey),
  delayedCount = redis.call('ZCARD', delayedKey),
  deadCount = redis.call('LLEN', deadKey),
  processingCount = processingCount,
  workerCount = #registry / 2,
  stats = redis.call('HGETALL', statsKey),
  master = redis.call('GET', masterKey) or '',
  paused = redis.call('EXISTS', pausedKey) == 1,
  pendingHead = headCount > 0 and redis.call('LRANGE', pendingKey, -headCount, -1) or {},
  workers = workers,
  events = events,
  serverTimeMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000),
})
