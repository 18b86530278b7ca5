/**
 * The one entry point both transports use (Electron IPC in app/main, HTTP in app/core/server.ts):
 * channel lookup, input validation with the contract's zod schema, the handler call, and error
 * mapping to an {@link ApiError} with an HTTP-like status.
 */

import type { z } from 'zod';
import { contract, type Api, type ApiError, type Channel } from '../../shared/contract.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';

/** Result of {@link dispatch}: the handler's value, or an error payload with a status (400, 404, 500). */
export type DispatchResult = { ok: true; value: unknown } | { ok: false; status: number; error: ApiError };

/** Options for {@link dispatch}. */
export interface DispatchOptions {
  /** Called with unexpected errors (those answered with 500), e.g. to log them. Default: `console.error`. */
  onInternalError?: (channel: string, err: unknown) => void;
}

/** True when `name` is a channel of the contract (own property, so `toString`, `__proto__` are not). */
export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/**
 * Formats zod issues as one English line: `id: must be a VM UUID; body: Too big…`.
 * The path is dotted (`a.b.0`); an issue on the whole input is shown as `input`. For a union that
 * matched no branch, the branches' messages are joined with ` or ` (e.g. a VM id that is neither a
 * UUID nor a `demo-<uuid>`).
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): string {
  return issues
    .map((i) => {
      const full = [...prefix, ...i.path];
      const where = full.length > 0 ? full.map(String).join('.') : 'input';
      if (i.code === 'invalid_union' && i.errors.length > 0) {
        const branches = [...new Set(i.errors.flatMap((branch) => branch.map((b) => b.message)))];
        return `${where}: ${branches.join(' or ')}`;
      }
      return `${where}: ${i.message}`;
    })
    .join('; ');
}

/**
 * Validates `rawInput` for `channel` and calls the handler.
 *
 * - unknown channel → 404 `not_found`;
 * - input not matching `contract[channel].input` → 400 `validation` with the zod messages
 *   (`undefined` input counts as `{}`, since IPC calls without arguments send nothing);
 * - handler throws {@link NotFoundError} → 404 `not_found`, {@link ValidationError} → 400 `validation`
 *   (the error's own message is passed on);
 * - anything else → 500 `internal` with a generic message (details only go to `onInternalError`).
 *
 * Never throws.
 */
export async function dispatch(
  handlers: Api,
  channel: string,
  rawInput: unknown,
  options: DispatchOptions = {},
): Promise<DispatchResult> {
  if (!isChannel(channel)) {
    return {
      ok: false,
      status: 404,
      error: { error: `Unknown API channel "${channel}".`, code: 'not_found' },
    };
  }
  const parsed = contract[channel].input.safeParse(rawInput === undefined ? {} : rawInput);
  if (!parsed.success) {
    return {
      ok: false,
      status: 400,
      error: {
        error: `Invalid input for ${channel}: ${formatIssues(parsed.error.issues)}`,
        code: 'validation',
      },
    };
  }
  try {
    const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (err) {
    if (err instanceof NotFoundError) {
      return { ok: false, status: 404, error: { error: err.message, code: 'not_found' } };
    }
    if (err instanceof ConflictError) {
      return {
        ok: false,
        status: 409,
        error: { error: err.message, code: 'conflict', current: err.current as ApiError['current'] },
      };
    }
    if (err instanceof ValidationError) {
      return { ok: false, status: 400, error: { error: err.message, code: 'validation' } };
    }
    (options.onInternalError ?? defaultOnInternalError)(channel, err);
    return {
      ok: false,
      status: 500,
      error: {
        error: `Internal error while handling ${channel}. See the app's log for details.`,
        code: 'internal',
      },
    };
  }
}

function defaultOnInternalError(channel: string, err: unknown): void {
  console.error(`[vm-companion] ${channel} failed:`, err);
}
