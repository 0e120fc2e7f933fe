import type { z } from 'zod';

/**
 * The query string read with the route's contract schema. The app turns Express's query parser
 * off (no nested-object surprises), so ts-rest sees an empty query; routes that take one read it
 * here, with the same schema the contract declares.
 */
export function readQuery<S extends z.ZodTypeAny>(
  req: { url: string },
  schema: S,
): { ok: true; value: z.output<S> } | { ok: false; message: string } {
  const raw: Record<string, string> = {};
  const at = req.url.indexOf('?');
  if (at >= 0) {
    for (const [name, value] of new URLSearchParams(req.url.slice(at + 1))) raw[name] ??= value;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, message: parsed.error.issues[0]?.message ?? 'Bad Request' };
}
