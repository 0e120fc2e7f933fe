import { contract } from '@usermeta/contract';
import { describe, expect, it } from 'vitest';
import { guardResponses } from './response-shape.js';

type Answer = { status: number; body?: unknown };
const answering = (answer: Answer) => ({ metadata: { getUserMetadata: async () => answer } });
const run = (router: { metadata: { getUserMetadata: () => Promise<Answer> } }) => router.metadata.getUserMetadata();

describe("production's cheap shape guarantee instead of zod on answers", () => {
  it('when an answer holds keys its schema does not declare, then only the declared keys are sent', async () => {
    const guarded = guardResponses(
      contract,
      answering({
        status: 200,
        body: { public_metadata: { a: 1 }, private_metadata: undefined, user_id: 'leaked', incarnation: 'x' },
      }),
    );
    expect(await run(guarded)).toEqual({ status: 200, body: { public_metadata: { a: 1 } } });
  });

  it('when an error answers, then it keeps exactly code and message', async () => {
    const guarded = guardResponses(contract, answering({ status: 404, body: { code: 404, message: 'x', stack: 's' } }));
    expect(await run(guarded)).toEqual({ status: 404, body: { code: 404, message: 'x' } });
  });

  it('when an answer has no body, then it passes unchanged', async () => {
    const guarded = guardResponses(contract, answering({ status: 204, body: undefined }));
    expect(await run(guarded)).toEqual({ status: 204, body: undefined });
  });
});
