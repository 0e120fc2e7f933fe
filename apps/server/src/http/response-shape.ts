import { type AppRoute, type AppRouter, isAppRoute } from '@ts-rest/core';
import { ZodObject } from 'zod';

type Result = { status: number; body?: unknown; [other: string]: unknown };
type Handler = (args: unknown) => Promise<Result>;

/** The top-level keys of a response's object schema; undefined when the schema is not a zod object. */
function declaredKeys(schema: unknown): string[] | undefined {
  return schema instanceof ZodObject ? Object.keys(schema.shape as Record<string, unknown>) : undefined;
}

/**
 * The cheap shape guarantee that replaces zod response validation in production (measured in
 * docs/benchmarks.md: validating a metadata answer cost more than serialising it). Worked out
 * once per route, applied to every answer: an object body is cut to the top-level keys its
 * schema declares, so nothing undeclared reaches the wire (what zod's `strip` did). What it does
 * not repeat is the deep check of each value: the handlers' results are typed from the contract
 * (statuses included: `strictStatusCodes`), and tests and development run with full validation.
 */
function guard(route: AppRoute, handler: Handler): Handler {
  const keysByStatus = new Map<number, Set<string> | undefined>();
  for (const [status, schema] of Object.entries(route.responses)) {
    const keys = declaredKeys(schema);
    keysByStatus.set(Number(status), keys && new Set(keys));
  }
  return async (args) => {
    const result = await handler(args);
    const keys = keysByStatus.get(Number(result.status));
    const body = result.body;
    if (!keys || typeof body !== 'object' || body === null || Array.isArray(body)) return result;
    if (onlyDeclared(body, keys)) return result;
    const shaped: Record<string, unknown> = {};
    for (const key of keys) {
      const value = (body as Record<string, unknown>)[key];
      if (value !== undefined) shaped[key] = value;
    }
    return { ...result, body: shaped };
  };
}

/** Whether every own key of the body is declared (the usual case: then nothing is copied). */
function onlyDeclared(body: object, keys: Set<string>): boolean {
  for (const key in body) {
    if (Object.hasOwn(body, key) && !keys.has(key)) return false;
  }
  return true;
}

/**
 * The router's handlers, each wrapped in the cheap shape guarantee of its contract route (one
 * mechanism for every route, applied once at start-up).
 */
export function guardResponses<R extends object>(contract: AppRouter, router: R): R {
  const wrapped: Record<string, unknown> = {};
  for (const [name, implementation] of Object.entries(router)) {
    const schema = contract[name];
    if (schema && isAppRoute(schema) && typeof implementation === 'function') {
      wrapped[name] = guard(schema, implementation as Handler);
    } else if (schema && !isAppRoute(schema) && typeof implementation === 'object' && implementation !== null) {
      wrapped[name] = guardResponses(schema, implementation);
    } else {
      wrapped[name] = implementation;
    }
  }
  return wrapped as R;
}
