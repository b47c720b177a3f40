/**
 * dtq-console's engine: a Redis task queue that loses no task when a worker
 * dies. Import it as `dtq-console`.
 */
export { Producer, type ProducerOptions, type EnqueueOptions, type TaskRequest } from './producer.js';
export { Worker, workerNamePattern, type WorkerOptions, type TaskHandler, type TaskContext } from './worker.js';
export { Master, type MasterOptions, type SweepResult } from './master.js';
export { readSnapshot, lostCount, type QueueSnapshot, type WorkerSnapshot, type StreamEvent, type SnapshotLimits } from './monitor.js';
export { pauseQueue, resumeQueue, listDead, requeueDead, purgeDead, parseDeadRecord, type DeadRecord } from './admin.js';
export { queueKeys, validateName, type QueueKeys } from './keys.js';
export { encodeEnvelope, decodeEnvelope, newTaskId, validateTaskName, type TaskEnvelope, type DecodeResult } from './envelope.js';
export { ConfigError, TaskValidationError, RedisSetupError, RedisUnreachableError, ScriptCode } from './errors.js';
export { TypedEmitter, type EngineEvents, type EngineEventName } from './events.js';
export { createRedis, checkRedisServer, redactRedisUrl, checkRedisUrl, type RedisConnectionOptions, type RedisCheck } from './redis.js';
export type { QueueOptions } from './options.js';
export { sleepUnlessAborted } from './timing.js';
export * as defaults from './defaults.js';
