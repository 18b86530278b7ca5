/**
 * The preload's table of contract channels and the `window.api` function name for each.
 *
 * Why not import `CHANNELS`/`functionName` from `app/shared/contract.ts` at runtime: that module
 * imports `zod`, and electron-vite externalises dependencies, so the built preload would
 * `require("zod")` — which a sandboxed preload cannot do (only `electron` is available). The
 * `satisfies Record<Channel, string>` below makes the compiler reject a missing or unknown channel,
 * and `tests/unit/main-preload.test.ts` checks every name against `functionName(channel)`.
 */

import type { Channel } from '../shared/contract.ts';

/** Channel → exposed function name (`vms:list` → `vmsList`), one entry per contract channel. */
export const CHANNEL_FUNCTIONS = {
  'app:info': 'appInfo',
  'vms:list': 'vmsList',
  'vms:get': 'vmsGet',
  'vms:progress': 'vmsProgress',
  'vms:cancel': 'vmsCancel',
  'notes:list': 'notesList',
  'notes:save': 'notesSave',
  'vms:history': 'vmsHistory',
  'vms:compare': 'vmsCompare',
  'vms:openFile': 'vmsOpenFile',
  'media:info': 'mediaInfo',
  'prefs:get': 'prefsGet',
  'prefs:set': 'prefsSet',
  'study:content': 'studyContent',
  'study:lesson': 'studyLesson',
  'study:read': 'studyRead',
  'study:progress': 'studyProgress',
  'quiz:answer': 'quizAnswer',
  'tours:progress': 'toursProgress',
  search: 'search',
  'export:notes': 'exportNotes',
  'export:report': 'exportReport',
} as const satisfies Record<Channel, string>;

/** Compile-time check that no channel is missing (an error here names the missing channel). */
type Missing = Exclude<Channel, keyof typeof CHANNEL_FUNCTIONS>;
export const NO_MISSING_CHANNEL: [Missing] extends [never] ? true : Missing = true;
