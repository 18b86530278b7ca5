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
