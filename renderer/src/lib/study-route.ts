/**
 * Hash routes of the Study and Tours screens (no runtime dependencies, so the app shell can parse
 * them on its first screen):
 *
 * - `#/study` — lesson list and overview; `#/study/review` — the due quiz cards;
 * - `#/study/lesson/<lessonId>` and `#/study/lesson/<lessonId>/<section>` — a lesson, scrolled to the
 *   section whose heading slug (`slugify` in app/shared/study.ts) is `<section>`;
 * - `#/tours` — the tours list; `#/tours/<tourId>` — the list with that tour picked out.
 *
 * Path segments are URI-encoded (Chinese section slugs stay readable in the address bar once decoded).
 */

/** Where the Study/Tours screens are. */
export type StudyRoute =
  | { screen: 'study'; lessonId?: string; section?: string; review?: boolean }
  | { screen: 'tours'; tourId?: string };

function decode(segment: string): string | undefined {
  try {
    const out = decodeURIComponent(segment);
    return out === '' ? undefined : out;
  } catch {
    return undefined;
  }
}

/**
 * Parses `location.hash` into a study route; `null` when the hash is not one (the machines list,
 * a VM's mirror, a browser-mode token).
 */
export function parseStudyRoute(hash: string): StudyRoute | null {
  const path = hash.replace(/^#/, '').replace(/[?].*$/, '');
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] === 'study') {
    if (parts.length === 1) return { screen: 'study' };
    if (parts[1] === 'review' && parts.length === 2) return { screen: 'study', review: true };
    if (parts[1] === 'lesson' && parts[2]) {
      const lessonId = decode(parts[2]);
      if (!lessonId) return { screen: 'study' };
      const section = parts[3] ? decode(parts[3]) : undefined;
      return section ? { screen: 'study', lessonId, section } : { screen: 'study', lessonId };
    }
    return { screen: 'study' };
  }
  if (parts[0] === 'tours') {
    const tourId = parts[1] ? decode(parts[1]) : undefined;
    return tourId ? { screen: 'tours', tourId } : { screen: 'tours' };
  }
  return null;
}

/** The hash of a study route (inverse of {@link parseStudyRoute}). */
export function studyHash(route: StudyRoute): string {
  if (route.screen === 'tours')
    return route.tourId ? `#/tours/${encodeURIComponent(route.tourId)}` : '#/tours';
  if (route.review) return '#/study/review';
  if (route.lessonId) {
    const base = `#/study/lesson/${encodeURIComponent(route.lessonId)}`;
    return route.section ? `${base}/${encodeURIComponent(route.section)}` : base;
  }
  return '#/study';
}
