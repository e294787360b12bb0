/** Where each page lives in the site, relative to its root. */

/** Entries per timeline page: some 40 KB of HTML, whatever the history's length. */
export const TIMELINE_PAGE_SIZE = 100;

/** A component name as one path segment (names are [a-z0-9-] in practice; anything else is encoded). */
export const componentDir = (name: string): string => `components/${encodeURIComponent(name)}/`;

export const timelineFile = (page: number): string => (page === 1 ? "index.html" : `page-${page}.html`);

export const entryFile = (logIndex: number): string => `entries/${logIndex}.html`;

/** The measurement index is split by the digest's first three hex digits: a lookup fetches one small file. */
export const measurementShard = (digest: string): string => `measurements/${digest.slice(0, 3)}.json`;
