/**
 * Hash route of the comparison screen (issue 4): `#/compare`, `#/compare/<a>` or `#/compare/<a>/<b>`
 * with URI-encoded VM ids, so a reload shows the same two VMs. No runtime dependencies.
 */

/** The comparison screen with the chosen VMs (`''` = not chosen yet). */
export interface CompareRoute {
  a: string;
  b: string;
}

function decode(segment: string | undefined): string {
  if (!segment) return '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}

/** Parses `location.hash`; `null` when it is not the comparison screen. */
export function parseCompareRoute(hash: string): CompareRoute | null {
  const m = /^#\/compare(?:\/([^/?#]*))?(?:\/([^/?#]*))?\/?$/.exec(hash);
  return m ? { a: decode(m[1]), b: decode(m[2]) } : null;
}

/** The hash of a comparison route (inverse of {@link parseCompareRoute}). */
export function compareHash(route: CompareRoute): string {
  if (!route.a && !route.b) return '#/compare';
  return `#/compare/${encodeURIComponent(route.a)}/${encodeURIComponent(route.b)}`;
}
