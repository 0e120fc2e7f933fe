import { initServer } from '@ts-rest/express';
import { contract, MESSAGES } from '@usermeta/contract';
import { errorBody } from '../http/errors.js';
import type { Implementation } from '../http/implementation.js';
import { principalOf } from '../http/principal.js';
import { type Reads, routedRead } from '../http/read-after.js';
import { decodeCursor, type EventsService } from './events.service.js';

const s = initServer();

export const DEFAULT_PAGE_LIMIT = 20;

export function eventsRoutes(service: EventsService, reads: Reads): Implementation<typeof contract.events> {
  return s.router(contract.events, {
    getMetadataHistory: async ({ params, query, headers, res }) => {
      const { limit = DEFAULT_PAGE_LIMIT, cursor } = query;
      const beforeSeq = cursor === undefined ? undefined : decodeCursor(cursor);
      if (cursor !== undefined && beforeSeq === undefined) {
        return { status: 400, body: errorBody(400, MESSAGES.invalidCursor) };
      }
      const result = await routedRead(reads, { headers, res }, (source) =>
        service.history(params.id, { limit, beforeSeq }, principalOf(res), source.pool),
      );
      if (result.kind === 'user_not_found') return { status: 404, body: errorBody(404, MESSAGES.userNotFound) };
      return { status: 200, body: result.page };
    },
  });
}
