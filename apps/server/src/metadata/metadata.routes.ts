import { initServer } from '@ts-rest/express';
import { contract, MESSAGES, REASON_PHRASES } from '@usermeta/contract';
import type { Response } from 'express';
import { changeContextOf } from '../http/change-context.js';
import { ifMatchPasses, ifNoneMatchMatches, listedTags } from '../http/conditional.js';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import { principalOf } from '../http/principal.js';
import { type Reads, routedRead } from '../http/read-after.js';
import { mayPatch, visibleKinds } from '../keys/kind-limits.js';
import type { GetMetadataResult, MetadataService, MetadataVersion } from './metadata.service.js';
import { metadataETag, notNewerThan } from './metadata-etag.js';
import { validatePatch } from './metadata-rules.js';

const s = initServer();

const notFound = { status: 404, body: errorBody(404, MESSAGES.userNotFound) } as const;
const forbidden = { status: 403, body: errorBody(403, REASON_PHRASES[403]) } as const;
const changed = { status: 412, body: errorBody(412, MESSAGES.metadataChanged) } as const;

/** Node joins repeated field lines with ", ", which is the same list; absent → undefined. */
const field = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

/**
 * The ETag names the whole stored metadata, also for a key limited to some kinds: it is what
 * If-Match must guard, so such a key sees it change when a kind it cannot read changes.
 */
function tagged(res: Response, version: MetadataVersion): string {
  const etag = metadataETag(version);
  res.setHeader('ETag', etag);
  return etag;
}

/**
 * A read replica's answer is older than the caller knows when its If-None-Match names a state
 * the answer is not certainly at or past: then the primary answers instead, so that neither a
 * 304 nor a 200 comes from a snapshot the caller has already passed (docs/deploy.md).
 */
function olderThanListed(ifNoneMatch: string, result: GetMetadataResult): boolean {
  const listed = listedTags(ifNoneMatch);
  if (listed === undefined) return false;
  if (result.kind === 'user_not_found') return true;
  if (listed === '*') return false;
  // Every tag listed must be at or before the answer's state, the answer's own tag included.
  return !listed.every((opaque) => notNewerThan(opaque, result.version));
}

export function metadataRoutes(service: MetadataService, reads: Reads): Implementation<typeof contract.metadata> {
  return s.router(contract.metadata, {
    getUserMetadata: async ({ params, headers, res }) => {
      const ifNoneMatch = field(headers['if-none-match']);
      const result = await routedRead(
        reads,
        { headers, res },
        (source) => service.get(params.id, source.pool),
        ifNoneMatch === undefined ? undefined : (answer) => olderThanListed(ifNoneMatch, answer),
      );
      if (result.kind === 'user_not_found') return notFound;
      const etag = tagged(res, result.version);
      if (ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, etag)) return { status: 304, body: undefined };
      const metadata = visibleKinds(principalOf(res), result.metadata);
      return metadata ? { status: 200, body: metadata } : { status: 204, body: undefined };
    },
    patchUserMetadata: async ({ params, body, headers, res }) => {
      const principal = principalOf(res);
      if (!mayPatch(principal, body)) {
        // A kind the key may not change: 403, unless the body is bad anyway (body checks come first).
        const problem = validatePatch(body);
        return problem ? { status: 400, body: errorBody(400, problem) } : forbidden;
      }
      const ifMatch = field(headers['if-match']);
      const result = await service.patch(params.id, body, {
        ifMatch: ifMatch === undefined ? undefined : (current) => ifMatchPasses(ifMatch, metadataETag(current)),
        context: changeContextOf(res),
      });
      if (result.kind === 'user_not_found') return notFound;
      if (result.kind === 'precondition_failed') return changed;
      if (result.kind === 'invalid') return { status: 400, body: errorBody(400, result.message) };
      tagged(res, result.version);
      const metadata = visibleKinds(principal, result.metadata);
      return metadata ? { status: 200, body: metadata } : { status: 204, body: undefined };
    },
  });
}
