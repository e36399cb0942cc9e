/** The route table: method + path pattern -> handler. Captures are passed, decoded, as `params`. */
import type { Handler } from './context.ts';
import { ServiceError } from './errors.ts';
import { getBlob, putBlob } from './handlers-blob.ts';
import {
  getCheckpoint,
  getConsistencyProof,
  getEntry,
  getInclusionProof,
  getInfo,
  getJob,
  getSubject,
} from './handlers-read.ts';
import { postStatusLookup } from './handlers-lookup.ts';
import { getTile, getTlogCheckpoint } from './handlers-tiles.ts';
import { postEntries, postRevocation } from './handlers-write.ts';

export interface Route {
  /** Stable label for metrics and logs (never the raw path). */
  name: string;
  pattern: RegExp;
  methods: Partial<Record<string, Handler>>;
}

export const ROUTES: Route[] = [
  {
    name: 'checkpoint',
    pattern: /^\/checkpoint$/,
    methods: { GET: getTlogCheckpoint, HEAD: getTlogCheckpoint },
  },
  { name: 'tile', pattern: /^\/tile\/.+$/, methods: { GET: getTile, HEAD: getTile } },
  { name: 'info', pattern: /^\/v1\/info$/, methods: { GET: getInfo } },
  { name: 'v1-checkpoint', pattern: /^\/v1\/checkpoint$/, methods: { GET: getCheckpoint } },
  { name: 'entries', pattern: /^\/v1\/entries$/, methods: { POST: postEntries } },
  { name: 'entry', pattern: /^\/v1\/entries\/([^/]+)$/, methods: { GET: getEntry } },
  { name: 'revocations', pattern: /^\/v1\/revocations$/, methods: { POST: postRevocation } },
  { name: 'subject', pattern: /^\/v1\/subjects\/([^/]+)$/, methods: { GET: getSubject } },
  { name: 'job', pattern: /^\/v1\/jobs$/, methods: { GET: getJob } },
  { name: 'lookup-status', pattern: /^\/v1\/lookup\/status$/, methods: { POST: postStatusLookup } },
  { name: 'inclusion', pattern: /^\/v1\/proofs\/inclusion$/, methods: { GET: getInclusionProof } },
  {
    name: 'consistency',
    pattern: /^\/v1\/proofs\/consistency$/,
    methods: { GET: getConsistencyProof },
  },
  { name: 'blobs', pattern: /^\/v1\/blobs$/, methods: { POST: putBlob } },
  {
    name: 'blob',
    pattern: /^\/v1\/blobs\/([^/]+)$/,
    methods: { PUT: putBlob, GET: getBlob, HEAD: getBlob },
  },
];

/** A path capture, percent-decoded; a malformed escape is the client's mistake (400). */
function decodeParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ServiceError(
      'BAD_REQUEST',
      `the path element "${text.slice(0, 200)}" holds a malformed percent-escape`,
    );
  }
}

/** The route for `path`, with its captures percent-decoded (handlers get decoded params). */
export function matchRoute(path: string): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1).map(decodeParam) };
  }
  return undefined;
}
