import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { isJsonObject, type JsonObject } from './json.js';
import { MESSAGES } from './messages.js';
import { PageCursor, PageLimit, strictQuery } from './paging.js';
import { type MetadataKind, UserWithMetadata } from './schemas.js';

/** The message for a filter that is not a JSON object: `public_metadata filter must be a JSON object`. */
export function filterMessage(kind: MetadataKind): string {
  return `${kind}${MESSAGES.filterMustBeObjectSuffix}`;
}

/** A metadata filter as it travels: the JSON text of an object, URL-encoded; parsed into the object. */
function metadataFilter(kind: MetadataKind) {
  const message = filterMessage(kind);
  return extendApi(
    z.string({ message }).transform((text, ctx): JsonObject => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (isJsonObject(value)) return value;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      return z.NEVER;
    }),
    {
      description:
        `A JSON object (URL-encoded): only users whose ${kind} contains it, as PostgreSQL's \`@>\` ` +
        'does (nested objects match partially, an array matches when it holds the given elements).',
      example: kind === 'public_metadata' ? '{"plan":"team"}' : '{}',
    },
  );
}

/**
 * The query of GET /users, as strings on the wire: every parameter optional, nothing else
 * accepted. Problems are reported in the order limit, cursor, filters (public, private,
 * unsafe), then unknown parameters.
 */
export const ListUsersQuery = strictQuery({
  limit: PageLimit.optional(),
  cursor: PageCursor.optional(),
  public_metadata: metadataFilter('public_metadata').optional(),
  private_metadata: metadataFilter('private_metadata').optional(),
  unsafe_metadata: metadataFilter('unsafe_metadata').optional(),
});
/** What the client sends: every value a string. */
export type ListUsersQueryInput = z.input<typeof ListUsersQuery>;
/** What the server gets after validation: `limit` a number, filters parsed objects. */
export type ListUsersQuery = z.output<typeof ListUsersQuery>;

/** Filters by kind, as the client and the server handle them (parsed objects). */
export type UserFilter = Partial<Record<MetadataKind, JsonObject>>;

export const UserList = extendApi(
  z.object({
    users: z.array(UserWithMetadata),
    next_cursor: extendApi(z.string().optional(), {
      description: 'Pass as `cursor` for the next page; left out on the last page',
    }),
  }),
  { title: 'UserList', description: 'One page of users, newest first' },
);
export type UserList = z.infer<typeof UserList>;
