export { errorCodes, type ErrorCode, type ErrorCodeInfo } from './error-codes.js';
export { FlotillaError, isFlotillaError, ok, fail, type FlotillaErrorOptions, type Issue, type Result } from './errors.js';
export { formatRef, parseRef, type ObjectRef } from './ref.js';
export { changeSetActions, countChanges, formatChangeSetEntry, hasWrites, summarizeChanges, type ChangeSet, type ChangeSetAction, type ChangeSetCounts, type ChangeSetEntry } from './changeset.js';
export { backoffDelay, timerClock, type BackoffPolicy, type Clock, type ClockSource } from './backoff.js';
export { runLimited } from './run-limited.js';
