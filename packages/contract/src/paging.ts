import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { MESSAGES } from './messages.js';

/** Page sizes of every paged listing (docs/api.md). */
export const PAGE_LIMIT = { min: 1, max: 100, default: 20 } as const;

/**
 * `limit` as it travels in a query string: decimal digits only (no sign, no exponent, no
 * spaces), 1–100. A repeated parameter arrives as an array and is refused with the same message.
 */
export const PageLimit = extendApi(
  z
    .string({ message: MESSAGES.invalidLimit })
    .regex(/^[0-9]{1,6}$/, MESSAGES.invalidLimit)
    .transform(Number)
    .pipe(z.number().int().min(PAGE_LIMIT.min, MESSAGES.invalidLimit).max(PAGE_LIMIT.max, MESSAGES.invalidLimit)),
  {
    type: 'integer',
    minimum: PAGE_LIMIT.min,
    maximum: PAGE_LIMIT.max,
    default: PAGE_LIMIT.default,
    description: `Page size, ${PAGE_LIMIT.min}–${PAGE_LIMIT.max}`,
  },
);

/** `cursor`: the opaque `next_cursor` of the previous page. Its content is the server's business. */
export const PageCursor = extendApi(
  z.string({ message: MESSAGES.invalidCursor }).regex(/^[A-Za-z0-9_-]{1,200}$/, MESSAGES.invalidCursor),
  { description: 'The `next_cursor` of the previous page (opaque)' },
);

/**
 * A query object that refuses parameters it does not declare, naming the first one
 * (`unknown query parameter: <name>`): a typo must not silently widen a listing.
 */
export function strictQuery<T extends z.ZodRawShape>(shape: T) {
  return z
    .object(shape, {
      errorMap: (issue, ctx) =>
        issue.code === 'unrecognized_keys'
          ? { message: `${MESSAGES.unknownQueryParameterPrefix}${issue.keys[0] ?? ''}` }
          : { message: ctx.defaultError },
    })
    .strict();
}
