/**
 * Errors the API handlers throw on purpose. {@link dispatch} turns them into `ApiError` payloads
 * with an HTTP-like status; any other error becomes a 500 with a generic message.
 */

/** Something the input names does not exist (unknown VM id, …). Status 404, code `not_found`. */
export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Input passed the schema but makes no sense (e.g. a relative VBoxManage path). Status 400, code `validation`. */
export class ValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

/**
 * A save based on an older version of the data than the one stored (optimistic concurrency, e.g.
 * `notes:save` with a stale `baseUpdatedAt`). Status 409, code `conflict`; `current` (the stored
 * note, null when none) is passed on in the error payload.
 */
export class ConflictError extends Error {
  readonly current: unknown;
  constructor(message: string, current: unknown) {
    super(message);
    this.name = 'ConflictError';
    this.current = current;
  }
}
