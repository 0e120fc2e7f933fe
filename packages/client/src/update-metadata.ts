import type { ClientInferResponses } from '@ts-rest/core';
import type { Contract, JsonObject, UserMetadata, UserMetadataPatch } from '@usermeta/contract';
import { UsermetaError } from './errors.js';
import { mergePatchBetween } from './merge-patch-between.js';

/** A metadata answer with its `ETag` header (the version it shows), when the answer has one. */
export type WithETag<T> = T & { etag: string | undefined };

type GetAnswer = WithETag<ClientInferResponses<Contract['metadata']['getUserMetadata']>>;
type PatchAnswer = WithETag<ClientInferResponses<Contract['metadata']['patchUserMetadata']>>;

/** The two calls updateUserMetadata is made of (the client's own). */
export type MetadataCalls = {
  getUserMetadata(id: string): Promise<GetAnswer>;
  patchUserMetadata(id: string, patch: UserMetadataPatch, conditions: { ifMatch: string }): Promise<PatchAnswer>;
};

export type UpdateMetadataOptions = {
  /** Rounds of read, change, write at most (the first included); default 5. */
  attempts?: number;
  /** Base of the jittered pause before another round after a 412; default the client's `retryDelayMs`. */
  retryDelayMs?: number;
};

/** What `change` gets (a copy it may modify) and returns: the whole metadata it wants. */
export type MetadataChange = (current: UserMetadata) => UserMetadata | Promise<UserMetadata>;

type ErrorAnswer = Exclude<GetAnswer | PatchAnswer, { status: 200 | 204 | 304 | 412 }>;

export type UpdateMetadataOutcome =
  /** Written (or nothing to write: `changed` false); `metadata` and `etag` are what is stored now. */
  | { kind: 'updated'; metadata: UserMetadata; etag: string; changed: boolean; attempts: number }
  /** Every attempt met a concurrent change (412); nothing of this call is stored. */
  | { kind: 'conflict'; attempts: number }
  /** Any other answer (404 user not found, 400 over a limit, …), as the client returned it. */
  | { kind: 'failed'; status: ErrorAnswer['status']; body: ErrorAnswer['body'] };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function etagOf(answer: { etag: string | undefined; status: number }): string {
  if (answer.etag === undefined) {
    throw new UsermetaError('invalid_response', `a ${answer.status} metadata answer without an ETag`, {
      status: answer.status,
    });
  }
  return answer.etag;
}

const failed = (answer: ErrorAnswer): UpdateMetadataOutcome => ({
  kind: 'failed',
  status: answer.status,
  body: answer.body,
});

/**
 * Read, change, write with optimistic concurrency: GET (metadata and ETag), `change`, PATCH the
 * RFC 7386 patch from current to next with `If-Match`; on 412 start again, up to `attempts`
 * rounds. `change` may run more than once, so it should only compute.
 */
export async function updateUserMetadata(
  calls: MetadataCalls,
  id: string,
  change: MetadataChange,
  options: { attempts: number; retryDelayMs: number },
): Promise<UpdateMetadataOutcome> {
  const attempts = Math.max(1, Math.floor(options.attempts));
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const read = await calls.getUserMetadata(id);
    if (read.status === 304)
      throw new UsermetaError('invalid_response', 'a 304 to an unconditional GET', { status: 304 });
    if (read.status !== 200 && read.status !== 204) return failed(read);
    const etag = etagOf(read);
    const current: UserMetadata = read.status === 200 ? read.body : {};
    const next = await change(structuredClone(current));
    const patch = mergePatchBetween(current as JsonObject, next as JsonObject) as UserMetadataPatch;
    if (patch !== null && Object.keys(patch).length === 0) {
      return { kind: 'updated', metadata: current, etag, changed: false, attempts: attempt };
    }
    const written = await calls.patchUserMetadata(id, patch, { ifMatch: etag });
    if (written.status === 200 || written.status === 204) {
      const metadata = written.status === 200 ? written.body : {};
      // The server keeps the ETag when a patch changes nothing (a kind set to {} that was absent).
      const after = etagOf(written);
      return { kind: 'updated', metadata, etag: after, changed: after !== etag, attempts: attempt };
    }
    if (written.status !== 412) return failed(written);
    // Full jitter, exponential: losers of one round spread out instead of colliding again.
    if (attempt < attempts) await sleep(Math.random() * options.retryDelayMs * 2 ** Math.min(attempt - 1, 6));
  }
  return { kind: 'conflict', attempts };
}
