/**
 * Engine defaults, one constant each. Every value here can be overridden by an
 * option of the class that uses it, and most by a command-line flag.
 */

/** Time between two heartbeat writes of a worker. Shorter detects nothing sooner: the TTL decides that. */
export const heartbeatIntervalMs = 1000;

/**
 * Lifetime of a heartbeat key. A worker is declared dead this long after its
 * last write, so a shorter TTL recovers tasks sooner but risks declaring a
 * worker dead during a long GC pause or a slow network.
 */
export const heartbeatTtlMs = 3000;

/** Time between two master sweeps of the worker registry and the delayed set. */
export const sweepIntervalMs = 500;

/** Tasks one worker process runs at once. */
export const concurrency = 1;

/** Executions a task gets before it is dead-lettered, counting handler failures and recoveries. */
export const maxAttempts = 5;

/** Largest envelope a producer accepts and a worker runs, in bytes (512 KiB). */
export const maxEnvelopeBytes = 512 * 1024;

/**
 * Server-side block of one BLMOVE, in ms. It must stay well below the
 * heartbeat TTL: a claim issued while the worker was alive then always ends
 * before the master could declare the worker dead.
 */
export const claimBlockMs = 1000;

/** Time a stopping worker waits for its running tasks before it requeues them. */
export const shutdownTimeoutMs = 10_000;

/** Lifetime of the master's leader lease. A standby takes over at most this long after the leader dies. */
export const leaseTtlMs = 5000;

/** First retry delay; each further attempt doubles it, with up to 25 % jitter. */
export const retryBaseDelayMs = 1000;

/** Maximum retry delay, however many attempts came before. */
export const retryMaxDelayMs = 5 * 60_000;

/** Per-task handler timeout; 0 disables it. */
export const taskTimeoutMs = 0;

/** Items one requeue or promotion script moves per call, so no call blocks Redis for long. */
export const scriptChunkSize = 500;

/** Approximate length cap of the events stream (XADD MAXLEN ~). */
export const eventsMaxLength = 1000;

/** Length cap of the dead-letter list; the oldest entries are trimmed beyond it. */
export const deadMaxLength = 100_000;

/**
 * Lifetime of the audit hash after its last write. The hash keeps one field
 * per completed task, so it must not outlive a test or soak run by much.
 */
export const auditRetentionMs = 24 * 3600 * 1000;

/** Envelopes one bulk-enqueue script call pushes. */
export const enqueueBatchSize = 1000;

/**
 * Maximum wait for one Redis reply on the engine's non-blocking connections.
 * Every script is bounded (chunks of at most a few hundred entries), so a
 * reply this late means the connection is dead; it is then reopened.
 */
export const commandTimeoutMs = 5000;

/** Key prefix and queue name used when none is given. */
export const prefix = 'dtq';
export const queue = 'default';
