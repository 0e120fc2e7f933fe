import { initServer } from '@ts-rest/express';
import { contract, MESSAGES, REASON_PHRASES } from '@usermeta/contract';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import { principalOf } from '../http/principal.js';
import { mayPatch, visibleKinds } from '../keys/kind-limits.js';
import type { MetadataService } from './metadata.service.js';
import { validatePatch } from './metadata-rules.js';

const s = initServer();

const notFound = { status: 404, body: errorBody(404, MESSAGES.userNotFound) } as const;
const forbidden = { status: 403, body: errorBody(403, REASON_PHRASES[403]) } as const;

export function metadataRoutes(service: MetadataService): Implementation<typeof contract.metadata> {
  return s.router(contract.metadata, {
    getUserMetadata: async ({ params, res }) => {
      const result = await service.get(params.id);
      if (result.kind === 'user_not_found') return notFound;
      const metadata = visibleKinds(principalOf(res), result.metadata);
      return metadata ? { status: 200, body: metadata } : { status: 204, body: undefined };
    },
    patchUserMetadata: async ({ params, body, res }) => {
      const principal = principalOf(res);
      if (!mayPatch(principal, body)) {
        // A kind the key may not change: 403, unless the body is bad anyway (body checks come first).
        const problem = validatePatch(body);
        return problem ? { status: 400, body: errorBody(400, problem) } : forbidden;
      }
      const result = await service.patch(params.id, body);
      if (result.kind === 'user_not_found') return notFound;
      if (result.kind === 'invalid') return { status: 400, body: errorBody(400, result.message) };
      const metadata = visibleKinds(principal, result.metadata);
      return metadata ? { status: 200, body: metadata } : { status: 204, body: undefined };
    },
  });
}
