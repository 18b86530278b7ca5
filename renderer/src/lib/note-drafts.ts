/**
 * Data safety for notes (issue 6: "Notes are never lost by a failed render or a crash"): a local
 * draft of every note being edited, and the autosave with retries that the note editor
 * (components/NoteEditor.svelte) drives.
 *
 * - **Draft**: from the first keystroke until the host confirms the save, the text is kept in
 *   `localStorage` under {@link draftKey} (`vm-companion.noteDraft:<vmId>:<settingId>`, both parts
 *   URI-encoded) as JSON `{ v: 1, body, at }` (`at` = ms since the epoch of the last keystroke).
 *   A confirmed save of exactly the draft's text removes it; a reload, a crash of the page or a
 *   closed window leaves it, and the next editor opened on the same note restores it.
 * - **Autosave**: {@link NoteAutosave} saves 500 ms after the last keystroke, at once on
 *   {@link NoteAutosave.flush} (blur, page hide) and one last time on {@link NoteAutosave.dispose};
 *   one save is in flight at a time. A failed save is retried after 1 s, 2 s, 5 s and then every
 *   10 s ({@link retryDelay}) while the editor is open, unless the failure cannot be cured by
 *   retrying (wrong token, rejected input: {@link isRetryableSaveError}).
 *
 * - **Conflict** (two windows on one note): saves carry the `updatedAt` of the note the editor
 *   started from ({@link NoteAutosave.base}); a host that has a newer note refuses with code
 *   `conflict`. The editor then stops saving (no retry), keeps the text as a draft and offers
 *   "Keep mine" ({@link NoteAutosave.keepMine}: save over the other version) or "Use theirs"
 *   ({@link NoteAutosave.useTheirs}: show the stored text, drop the draft).
 * - **Length**: a text over {@link NOTE_MAX_CHARS} is not sent (it could never be saved): state
 *   `toolong`, draft kept; {@link lengthInfo} gives the counter shown near the limit.
 *
 * Plain TypeScript (no DOM, no Svelte): storage and timers are passed in, so the logic is
 * unit-tested in Node (tests/unit/note-drafts.test.ts).
 */

import { NOTE_MAX_CHARS } from '../../../app/shared/contract.ts';

export { NOTE_MAX_CHARS };

/** Length from which the editor shows the character counter (90 % of {@link NOTE_MAX_CHARS}). */
export const COUNTER_FROM_CHARS = 90_000;

/** What the editor shows about a text's length. */
export interface LengthInfo {
  /** Characters (UTF-16 code units, as the host counts them). */
  length: number;
  /** The limit, {@link NOTE_MAX_CHARS}. */
  max: number;
  /** Whether to show the counter `length / max` (from {@link COUNTER_FROM_CHARS}). */
  showCounter: boolean;
  /** Characters over the limit; 0 when within it. */
  over: number;
}

/** The counter and the over-limit amount for a text of `length` characters. */
export function lengthInfo(length: number): LengthInfo {
  return {
    length,
    max: NOTE_MAX_CHARS,
    showCounter: length >= COUNTER_FROM_CHARS,
    over: Math.max(0, length - NOTE_MAX_CHARS),
  };
}

/** Prefix of every draft's `localStorage` key. */
export const DRAFT_KEY_PREFIX = 'vm-companion.noteDraft:';

/** Debounce between the last keystroke and the autosave, in ms. */
export const DEBOUNCE_MS = 500;

/** Pauses before the first retries of a failed save, in ms (1 s, 2 s, 5 s). */
export const RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 5000];

/** Pause between later retries, in ms (every 10 s). */
export const RETRY_EVERY_MS = 10_000;

/** A note's unsaved text as kept in storage. */
export interface NoteDraft {
  vmId: string;
  /** `''` for the VM-wide note. */
  settingId: string;
  /** The text in the editor (Markdown). */
  body: string;
  /** When it was typed: ms since the epoch. */
  at: number;
}

/** The part of the Web Storage API drafts use (`localStorage`; a Map-backed fake in tests). */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  readonly length: number;
  key(index: number): string | null;
}

/** Timer functions, replaceable in tests. */
export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const globalTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * The page's `localStorage`, or null when there is none or it is disabled (reading the property
 * throws in some browsers with storage blocked). Never throws.
 */
export function browserStorage(): DraftStorage | null {
  try {
    return (globalThis as { localStorage?: DraftStorage }).localStorage ?? null;
  } catch {
    return null;
  }
}

/** The storage key of a note's draft: `vm-companion.noteDraft:<vmId>:<settingId>`, parts URI-encoded. */
export function draftKey(vmId: string, settingId: string): string {
  return `${DRAFT_KEY_PREFIX}${encodeURIComponent(vmId)}:${encodeURIComponent(settingId)}`;
}

/** Parses a stored draft value; null for anything that is not `{ body: string, at: finite number }`. */
function parseDraft(vmId: string, settingId: string, raw: string | null): NoteDraft | null {
  if (raw === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const { body, at } = value as { body?: unknown; at?: unknown };
  if (typeof body !== 'string' || typeof at !== 'number' || !Number.isFinite(at)) return null;
  return { vmId, settingId, body, at };
}

/**
 * The draft of a note, or null when there is none, storage is unavailable or the stored value is
 * not a draft (left in place: it is never deleted unread). Never throws.
 */
export function readDraft(storage: DraftStorage | null, vmId: string, settingId: string): NoteDraft | null {
  if (!storage) return null;
  try {
    return parseDraft(vmId, settingId, storage.getItem(draftKey(vmId, settingId)));
  } catch {
    return null;
  }
}

/**
 * Keeps `body` as the note's draft, typed at `at` (ms since the epoch).
 * @returns false when storage is unavailable or refuses the write (quota, disabled); never throws.
 */
export function writeDraft(
  storage: DraftStorage | null,
  vmId: string,
  settingId: string,
  body: string,
  at: number,
): boolean {
  if (!storage) return false;
  try {
    storage.setItem(draftKey(vmId, settingId), JSON.stringify({ v: 1, body, at }));
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes the note's draft. With `onlyIfBody`, only when the draft holds exactly that text (the
 * text the host just confirmed): a draft typed after that save started is kept. Never throws.
 * @returns true when a draft was removed.
 */
export function clearDraft(
  storage: DraftStorage | null,
  vmId: string,
  settingId: string,
  onlyIfBody?: string,
): boolean {
  if (!storage) return false;
  try {
    const key = draftKey(vmId, settingId);
    const raw = storage.getItem(key);
    if (raw === null) return false;
    if (onlyIfBody !== undefined && parseDraft(vmId, settingId, raw)?.body !== onlyIfBody) return false;
    storage.removeItem(key);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every draft of one VM (any setting, the VM-wide note included), oldest first. Keys of other VMs
 * and values that are not drafts are skipped. Never throws.
 */
export function listDrafts(storage: DraftStorage | null, vmId: string): NoteDraft[] {
  if (!storage) return [];
  const prefix = `${DRAFT_KEY_PREFIX}${encodeURIComponent(vmId)}:`;
  const out: NoteDraft[] = [];
  try {
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(prefix)) continue;
      let settingId: string;
      try {
        settingId = decodeURIComponent(key.slice(prefix.length));
      } catch {
        continue;
      }
      const draft = parseDraft(vmId, settingId, storage.getItem(key));
      if (draft) out.push(draft);
    }
  } catch {
    return out;
  }
  return out.sort((a, b) => a.at - b.at);
}

/**
 * Drafts of a VM whose text differs from the stored note (`stored(settingId)`, `''` when there is
 * none): the ones that still hold something the host does not have.
 */
export function unsavedDrafts(
  storage: DraftStorage | null,
  vmId: string,
  stored: (settingId: string) => string,
): NoteDraft[] {
  return listDrafts(storage, vmId).filter((d) => d.body !== stored(d.settingId));
}

/**
 * Pause before retry number `attempt` (0 = the first retry after a failure), in ms: 1000, 2000,
 * 5000, then {@link RETRY_EVERY_MS} (10 000) for every later one.
 */
export function retryDelay(attempt: number): number {
  return RETRY_DELAYS_MS[attempt] ?? RETRY_EVERY_MS;
}

/** Whether a failed save was refused because the note changed elsewhere (API code `conflict`). */
export function isConflictError(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { code?: unknown }).code === 'conflict';
}

/** Error codes of the API client (lib/api.ts `ApiCallError.code`) that a retry cannot cure. */
const FINAL_CODES = new Set([
  'validation',
  'forbidden',
  'read_only',
  'no_token',
  'bridge',
  'not_found',
  'conflict',
]);

/**
 * Whether retrying a failed save may help: yes for an unreachable host (`transport`), a host error
 * (`internal`, e.g. a locked or full disk) and anything unknown; no for a wrong or missing token
 * (`forbidden`, `no_token`: the page needs the host's new address), rejected input (`validation`),
 * `read_only`, `not_found`, `conflict` (the note changed elsewhere: the user decides) and a bridge
 * without the channel.
 */
export function isRetryableSaveError(error: unknown): boolean {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return !(typeof code === 'string' && FINAL_CODES.has(code));
}

/**
 * When a draft was typed, for "Unsaved draft restored from <time>": the time of day (hours and
 * minutes) when it is from the same day as `now`, else the date and the time; in `locale`
 * (`en`, `zh-CN`) and the system's time zone unless `timeZone` is given.
 */
export function draftTimeText(at: number, now: number, locale: string, timeZone?: string): string {
  const day = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const sameDay = day.format(at) === day.format(now);
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    ...(sameDay ? {} : { dateStyle: 'medium' as const }),
    timeStyle: 'short',
  }).format(at);
}

/**
 * What the editor shows: `idle` (nothing typed yet), `pending` (typed, autosave waiting or a save
 * queued), `saving` (a save in flight), `saved` (the host has the text shown), `retrying` (the last
 * save failed; another try is scheduled or running), `failed` (the last save failed in a way a retry
 * cannot cure; "Retry now" still tries), `conflict` (the host has a newer note from another window:
 * see {@link NoteAutosave.conflict}), `toolong` (over {@link NOTE_MAX_CHARS}: not sent, draft kept).
 */
export type SaveState =
  'idle' | 'pending' | 'saving' | 'saved' | 'retrying' | 'failed' | 'conflict' | 'toolong';

/** The stored note as another window left it (`body` `''` and `updatedAt` `''` when there is none). */
export interface StoredVersion {
  body: string;
  updatedAt: string;
}

/** Options of {@link NoteAutosave}. */
export interface AutosaveOptions<T> {
  vmId: string;
  /** `''` for the VM-wide note. */
  settingId: string;
  /** The note as the host has it when the editor opens (`''` when there is none). */
  stored: string;
  /**
   * `updatedAt` of the stored note the editor opened on (`''`: none). Undefined: unknown, saves
   * are sent without a base (they overwrite) until {@link NoteAutosave.base} is set.
   */
  baseUpdatedAt?: string;
  /**
   * Saves a body on the host (`notes:save`, with `baseUpdatedAt: base` when `base` is defined);
   * rejects when it was not saved (code `conflict` when the host has a newer note).
   */
  save: (body: string, base: string | undefined) => Promise<T>;
  /** The stored note's `updatedAt` after a confirmed save (`''` when the save deleted it). */
  savedBase?: (result: T) => string;
  /** Reads the note as stored now (after a conflict); null when there is none. */
  fetchStored?: () => Promise<StoredVersion | null>;
  /** Called with `save`'s result once the host confirmed a save. */
  onsaved?: (result: T) => void;
  /** Called whenever {@link NoteAutosave.state}, `error`, `body` or `restored` changed. */
  onchange?: () => void;
  /** Where drafts live (default: `localStorage`; null = keep none). */
  storage?: DraftStorage | null;
  timers?: Timers;
  /** Clock in ms since the epoch (default `Date.now`). */
  now?: () => number;
  /** Debounce in ms (default {@link DEBOUNCE_MS}). */
  debounceMs?: number;
  /** Whether a failure is worth retrying (default {@link isRetryableSaveError}). */
  retryable?: (error: unknown) => boolean;
}

/**
 * The autosave of one note editor. Create it when the editor opens, call {@link start} once it is
 * shown, {@link input} on every change, {@link flush} on blur / page hide, {@link dispose} when the
 * editor goes away. Opening on a note with a draft that differs from `stored` shows the draft
 * ({@link body}, {@link restored}) and saves it on {@link start}.
 */
export class NoteAutosave<T = unknown> {
  /** The text the editor shows (a restored draft, or the stored note). */
  body: string;
  /** The draft restored when the editor opened (null when there was none to restore). */
  restored: NoteDraft | null;
  state: SaveState = 'idle';
  /** The last save's failure (null after a confirmed save). */
  error: unknown = null;
  /** Failed saves in a row. */
  failures = 0;
  /** `updatedAt` of the stored version the text is based on (sent as `baseUpdatedAt`). */
  base: string | undefined;
  /** Set in state `conflict`: the other window's version (null while it is being read). */
  conflict: StoredVersion | null = null;

  readonly #o: AutosaveOptions<T>;
  readonly #storage: DraftStorage | null;
  readonly #timers: Timers;
  readonly #now: () => number;
  /** The text the host confirmed last. */
  #confirmed: string;
  /** The note as the host had it when the editor opened (what "Discard draft" puts back). */
  readonly #stored: string;
  #debounce: unknown = undefined;
  #retry: unknown = undefined;
  #inFlight = false;
  #disposed = false;

  constructor(options: AutosaveOptions<T>) {
    this.#o = options;
    this.#storage = options.storage === undefined ? browserStorage() : options.storage;
    this.#timers = options.timers ?? globalTimers;
    this.#now = options.now ?? Date.now;
    this.#stored = options.stored;
    this.#confirmed = options.stored;
    this.base = options.baseUpdatedAt;
    const draft = readDraft(this.#storage, options.vmId, options.settingId);
    if (draft && draft.body === options.stored) {
      // The host already has it (the page went away between the save and the clean-up).
      clearDraft(this.#storage, options.vmId, options.settingId, draft.body);
    }
    this.restored = draft && draft.body !== options.stored ? draft : null;
    this.body = this.restored ? this.restored.body : options.stored;
    if (this.restored) this.state = 'pending';
  }

  /** True while the editor shows text the host has not confirmed. */
  get dirty(): boolean {
    return this.body !== this.#confirmed;
  }

  /**
   * True when leaving the page now should ask first: the text is not on the host and the last save
   * failed (a debounce or a save in flight alone does not ask: the page-hide flush and the draft
   * cover those).
   */
  get needsUnloadPrompt(): boolean {
    return (
      this.dirty &&
      (this.state === 'retrying' ||
        this.state === 'failed' ||
        this.state === 'conflict' ||
        this.state === 'toolong')
    );
  }

  /** Starts work after the editor is shown: saves a restored draft at once. */
  start(): void {
    if (this.restored) void this.#save();
  }

  /** The editor's text changed to `body` (a keystroke, a paste): keep the draft, restart the debounce. */
  input(body: string): void {
    if (this.#disposed) return;
    this.body = body;
    writeDraft(this.#storage, this.#o.vmId, this.#o.settingId, body, this.#now());
    this.#clearDebounce();
    if (this.state === 'conflict') {
      // Nothing is saved until the user chose a version; the draft keeps the text.
      this.#changed();
      return;
    }
    if (this.state === 'toolong' && body.length <= NOTE_MAX_CHARS) this.state = 'pending';
    if (this.state !== 'retrying' && this.state !== 'failed' && this.state !== 'toolong')
      this.state = 'pending';
    this.#debounce = this.#timers.setTimeout(() => {
      this.#debounce = undefined;
      void this.#save();
    }, this.#o.debounceMs ?? DEBOUNCE_MS);
    this.#changed();
  }

  /** Saves now when the text is not on the host (blur, page hide). */
  flush(): void {
    this.#clearDebounce();
    if (this.dirty) void this.#save();
    else if (this.state === 'pending') this.#set('saved');
  }

  /**
   * "Keep mine" after a conflict: saves the text shown over the other window's version (the new
   * base is that version's `updatedAt`).
   */
  keepMine(): void {
    if (this.state !== 'conflict' || !this.conflict) return;
    this.base = this.conflict.updatedAt;
    this.#confirmed = this.conflict.body;
    this.conflict = null;
    this.error = null;
    this.failures = 0;
    this.state = 'pending';
    this.#changed();
    void this.#save();
  }

  /**
   * "Use theirs" after a conflict: shows the other window's version, drops the draft.
   * @returns the text now shown.
   */
  useTheirs(): string {
    if (this.state !== 'conflict' || !this.conflict) return this.body;
    this.body = this.conflict.body;
    this.#confirmed = this.conflict.body;
    this.base = this.conflict.updatedAt;
    this.conflict = null;
    this.restored = null;
    this.error = null;
    this.failures = 0;
    clearDraft(this.#storage, this.#o.vmId, this.#o.settingId);
    this.state = 'saved';
    this.#changed();
    return this.body;
  }

  /** "Retry now": saves at once, without waiting for the scheduled retry. */
  retryNow(): void {
    if (this.state === 'conflict') return;
    this.#clearDebounce();
    this.#clearRetry();
    void this.#save();
  }

  /**
   * "Discard draft": shows the note as the host had it when the editor opened, removes the draft
   * and saves that text back when the restored draft was already saved over it.
   * @returns the text now shown.
   */
  discardDraft(): string {
    this.#clearDebounce();
    this.#clearRetry();
    this.body = this.#stored;
    this.restored = null;
    clearDraft(this.#storage, this.#o.vmId, this.#o.settingId);
    this.#changed();
    void this.#save();
    return this.body;
  }

  /** Forgets the restored-draft notice ("Keep draft"); the text stays as it is. */
  keepDraft(): void {
    this.restored = null;
    this.#changed();
  }

  /**
   * The editor goes away: timers stop, no more retries; text not on the host gets one last save
   * (after the one in flight, if any). The draft stays until a save of its text is confirmed.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#clearDebounce();
    this.#clearRetry();
    this.#disposed = true;
    if (this.dirty && !this.#inFlight && this.state !== 'conflict') void this.#save();
  }

  #changed(): void {
    this.#o.onchange?.();
  }

  #set(state: SaveState): void {
    if (this.state === state) return;
    this.state = state;
    this.#changed();
  }

  #clearDebounce(): void {
    if (this.#debounce !== undefined) this.#timers.clearTimeout(this.#debounce);
    this.#debounce = undefined;
  }

  #clearRetry(): void {
    if (this.#retry !== undefined) this.#timers.clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  /** One save of the current text (none when the host has it already). */
  async #save(): Promise<void> {
    if (this.#inFlight) return; // The completion handler saves again if the text moved on.
    if (this.state === 'conflict') return; // The user chooses first.
    this.#clearRetry();
    if (!this.dirty) {
      // Typed back to what the host has (or a retry found nothing left to save).
      clearDraft(this.#storage, this.#o.vmId, this.#o.settingId, this.body);
      this.error = null;
      this.failures = 0;
      if (this.state !== 'idle') this.state = 'saved';
      this.#changed();
      return;
    }
    const text = this.body;
    if (text.length > NOTE_MAX_CHARS) {
      // The host would refuse it every time: keep the draft, say why, do not retry.
      this.error = null;
      this.#set('toolong');
      this.#changed();
      return;
    }
    if (this.state === 'toolong') this.state = 'pending';
    this.#inFlight = true;
    // After a failure the status keeps saying so until a save succeeds.
    if (this.state !== 'retrying' && this.state !== 'failed') this.#set('saving');
    let result: T;
    try {
      result = await this.#o.save(text, this.base);
    } catch (error) {
      this.#inFlight = false;
      this.#failed(error);
      return;
    }
    this.#inFlight = false;
    this.#confirmed = text;
    if (this.#o.savedBase) this.base = this.#o.savedBase(result);
    this.failures = 0;
    this.error = null;
    clearDraft(this.#storage, this.#o.vmId, this.#o.settingId, text);
    this.#o.onsaved?.(result);
    if (this.body === text) {
      this.state = 'saved';
    } else {
      this.state = 'pending';
      // Typed while the save was in flight and the debounce already fired: save the rest now.
      if (this.#debounce === undefined) void this.#save();
    }
    this.#changed();
  }

  #failed(error: unknown): void {
    this.error = error;
    if (isConflictError(error)) {
      this.#clearDebounce();
      this.state = 'conflict';
      this.conflict = null;
      this.#changed();
      void this.#readConflict(error);
      return;
    }
    this.failures++;
    const retryable = (this.#o.retryable ?? isRetryableSaveError)(error);
    this.state = retryable ? 'retrying' : 'failed';
    if (retryable && !this.#disposed && this.#debounce === undefined) {
      this.#retry = this.#timers.setTimeout(
        () => {
          this.#retry = undefined;
          void this.#save();
        },
        retryDelay(this.failures - 1),
      );
    }
    this.#changed();
  }

  /** Fills {@link conflict} with the stored version (from the error's `current`, else `fetchStored`). */
  async #readConflict(error: unknown): Promise<void> {
    const current = (error as { current?: { body?: unknown; updatedAt?: unknown } | null }).current;
    let theirs: StoredVersion;
    if (current && typeof current.body === 'string' && typeof current.updatedAt === 'string') {
      theirs = { body: current.body, updatedAt: current.updatedAt };
    } else {
      try {
        theirs = (await this.#o.fetchStored?.()) ?? { body: '', updatedAt: '' };
      } catch (e) {
        // Cannot read it now: stay in conflict with an unknown version; "Keep mine" waits.
        this.error = e;
        this.#changed();
        return;
      }
    }
    if (this.state !== 'conflict') return;
    this.conflict = theirs;
    this.#changed();
  }
}
