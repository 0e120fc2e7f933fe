import { initServer } from '@ts-rest/express';
import { contract, MESSAGES } from '@usermeta/contract';
import type { Response } from 'express';
import { ifMatchPasses, ifNoneMatchMatches } from '../http/conditional.js';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import type { MetadataService, MetadataVersion } from './metadata.service.js';
import { metadataETag } from './metadata-etag.js';

const s = initServer();

const notFound = { status: 404, body: errorBody(404, MESSAGES.userNotFound) } as const;
const changed = { status: 412, body: errorBody(412, MESSAGES.metadataChanged) } as const;

/** Node joins repeated field lines with ", ", which is the same list; absent → undefined. */
const field = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(', ') : value);

function tagged(res: Response, version: MetadataVersion): string {
  const etag = metadataETag(version);
  res.setHeader('ETag', etag);
  return etag;
}

export function metadataRoutes(service: MetadataService): Implementation<typeof contract.metadata> {
  return s.router(contract.metadata, {
    getUserMetadata: async ({ params, headers, res }) => {
      const result = await service.get(params.id);
      if (result.kind === 'user_not_found') return notFound;
      const etag = tagged(res, result.version);
      const ifNoneMatch = field(headers['if-none-match']);
      if (ifNoneMatch !== undefined && ifNoneMatchMatches(ifNoneMatch, etag)) return { status: 304, body: undefined };
      return result.metadata ? { status: 200, body: result.metadata } : { status: 204, body: undefined };
    },
    patchUserMetadata: async ({ params, body, headers, res }) => {
      const ifMatch = field(headers['if-match']);
      const result = await service.patch(params.id, body, {
        ifMatch: ifMatch === undefined ? undefined : (current) => ifMatchPasses(ifMatch, metadataETag(current)),
      });
      if (result.kind === 'user_not_found') return notFound;
      if (result.kind === 'precondition_failed') return changed;
      if (result.kind === 'invalid') return { status: 400, body: errorBody(400, result.message) };
      tagged(res, result.version);
      return result.metadata ? { status: 200, body: result.metadata } : { status: 204, body: undefined };
    },
  });
}
