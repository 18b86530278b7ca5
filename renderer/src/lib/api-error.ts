/**
 * The error type of every API call (no DOM here, so Node unit tests can import it without the
 * browser globals `api.ts` uses).
 */
import type { ApiError, Channel } from '../../../app/shared/contract.ts';

/**
 * An API failure: the server's (or main process's) message, plus its error code when known. The
 * message of `transport`, `no_token` and `bridge` failures is written here in English for logs; the
 * UI shows its own translated sentence for those codes (lib/errors.ts) with `detail`.
 */
export class ApiCallError extends Error {
  /**
   * `validation` | `not_found` | `forbidden` | `internal` | `read_only` from the host; `transport` for
   * network/HTTP failures, `no_token` when browser mode has no token, `bridge` when the preload lacks the channel.
   */
  readonly code: ApiError['code'] | 'transport' | 'no_token' | 'bridge';
  readonly channel: Channel;
  /** Technical detail of a `transport`/`bridge` failure as the browser or HTTP gave it (`Failed to fetch`, `HTTP 502 Bad Gateway`). */
  readonly detail?: string;
  constructor(channel: Channel, code: ApiCallError['code'], message: string, detail?: string) {
    super(message);
    this.name = 'ApiCallError';
    this.channel = channel;
    this.code = code;
    this.detail = detail;
  }
}
