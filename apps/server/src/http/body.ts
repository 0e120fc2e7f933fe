import { type AppRoute, isAppRouteNoBody } from '@ts-rest/core';
import { MESSAGES } from '@usermeta/contract';
import type { Request } from 'express';
import { ClientGoneError, HttpError } from './errors.js';

export const MAX_BODY_BYTES = 65_536;

const JSON_TYPES = new Set(['application/json', 'application/merge-patch+json']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

type BodyPolicy = {
  /** Whether a request may come without a body (POST /users) or must have one (PATCH). */
  optional: boolean;
};

const policies = new WeakMap<AppRoute, BodyPolicy | undefined>();

/** Worked out once per route: whether it reads a body, and whether the body may be left out. */
function routeBodyPolicy(route: AppRoute): BodyPolicy | undefined {
  if (policies.has(route)) return policies.get(route);
  let policy: BodyPolicy | undefined;
  if (route.method !== 'GET' && 'body' in route && !isAppRouteNoBody(route.body)) {
    // A body schema that accepts `undefined` makes the body optional.
    const schema = route.body as { safeParse?: (v: unknown) => { success: boolean } } | null;
    policy = { optional: schema?.safeParse?.(undefined).success ?? false };
  }
  policies.set(route, policy);
  return policy;
}

/** Whether the route takes a body at all (the dispatcher skips the body step for those that do not). */
export function takesBody(route: AppRoute): boolean {
  return routeBodyPolicy(route) !== undefined;
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

function checkMediaType(header: string | undefined): void {
  const [type = '', ...params] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (!JSON_TYPES.has(type) || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw HttpError.generic(415);
  }
}

/**
 * How much of an oversized body is read and thrown away before the 413 is sent, and for how
 * long. A client that writes its whole body before reading (Node's fetch, Python's http.client)
 * only sees the answer if the server has read what it sent: closing a socket with unread bytes
 * sends a TCP reset that destroys the answer. Beyond these bounds the connection is closed anyway.
 */
export const DISCARD_LIMITS = { bytes: 16 * 1024 * 1024, ms: 5_000 };

/**
 * Reads and drops the rest of a request body, up to `DISCARD_LIMITS`. True when all of it was
 * read, so that the connection can even stay open; false when the bounds ran out first.
 */
function discardRest(req: Request, alreadyRead: number): Promise<boolean> {
  return new Promise((resolve) => {
    let size = alreadyRead;
    const finish = (complete: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onError);
      if (!complete) req.pause();
      resolve(complete);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > DISCARD_LIMITS.bytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onError = () => finish(false);
    const timer = setTimeout(() => finish(false), DISCARD_LIMITS.ms);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onError);
    if (req.readableEnded) finish(true);
    else req.resume();
  });
}

/** 413, sent only once the client's body has been drained (or the drain bounds ran out: then the connection closes). */
async function tooLarge(req: Request, alreadyRead: number): Promise<HttpError> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  const worthDraining = !(declared > DISCARD_LIMITS.bytes);
  const drained = worthDraining && (await discardRest(req, alreadyRead));
  return HttpError.generic(413, drained ? {} : { Connection: 'close' });
}

/** The body, or a 413 once it passes MAX_BODY_BYTES; rejects with ClientGoneError when the client disconnects. */
function readRaw(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        cleanup();
        tooLarge(req, size).then(reject, reject);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onGone = (error?: Error) => {
      cleanup();
      reject(new ClientGoneError(error));
    };
    const onClose = () => {
      if (!req.complete) onGone();
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onClose);
  });
}

/** Parses strict JSON (one value, nothing after it) from UTF-8 bytes. */
export function parseJsonBody(raw: Buffer): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new HttpError(400, MESSAGES.invalidJson);
  }
  if (text.trim() === '') throw new HttpError(400, MESSAGES.emptyBody);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, MESSAGES.invalidJson);
  }
}

/**
 * Reads the JSON body of the matched route into req.body with the API's own rules and messages
 * (415, 413, empty, invalid JSON); the contract's schema checks its shape afterwards. Routes
 * without a body are left alone.
 */
export async function readContractBody(req: Request, route: AppRoute): Promise<void> {
  const policy = routeBodyPolicy(route);
  if (!policy) return;
  if (!hasBody(req)) {
    if (!policy.optional) throw new HttpError(400, MESSAGES.emptyBody);
    req.body = undefined;
    return;
  }
  checkMediaType(req.headers['content-type']);
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw await tooLarge(req, 0);
  const raw = await readRaw(req);
  req.body = raw.length === 0 && policy.optional ? undefined : parseJsonBody(raw);
}
