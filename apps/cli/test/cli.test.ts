import { randomUUID } from 'node:crypto';
import { access, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UserMetadataPatch } from '@usermeta/client';
import { describe, expect, it } from 'vitest';
import { runCli, useCliTestServer } from './harness.js';

const server = useCliTestServer();

/** Runs the built CLI as its own process, as a user would. */
const usermeta = (args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) =>
  runCli(server(), args, options);

describe('usermeta CLI', () => {
  it('when a user and its metadata go round trip, then every step prints JSON and exits 0', async () => {
    const id = randomUUID();
    const created = await usermeta(['users', 'create', '--id', id]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id });

    expect(JSON.parse((await usermeta(['metadata', 'get', id])).stdout)).toEqual({});

    const patched = await usermeta([
      'metadata',
      'patch',
      id,
      '{"public_metadata":{"role":"admin"},"private_metadata":{"n":1}}',
    ]);
    expect(patched.code).toBe(0);
    expect(JSON.parse(patched.stdout)).toEqual({ public_metadata: { role: 'admin' }, private_metadata: { n: 1 } });

    const dir = await mkdtemp(join(tmpdir(), 'usermeta-cli-'));
    await writeFile(join(dir, 'patch.json'), '{"private_metadata":null}');
    expect(JSON.parse((await usermeta(['metadata', 'patch', id, `@${join(dir, 'patch.json')}`])).stdout)).toEqual({
      public_metadata: { role: 'admin' },
    });

    const fromStdin = await usermeta(['metadata', 'patch', id, '-'], { stdin: '{"unsafe_metadata":{"theme":"dark"}}' });
    expect(JSON.parse(fromStdin.stdout)).toEqual({
      public_metadata: { role: 'admin' },
      unsafe_metadata: { theme: 'dark' },
    });

    const user = await usermeta(['users', 'get', id]);
    expect(JSON.parse(user.stdout)).toMatchObject({
      id,
      metadata: { public_metadata: { role: 'admin' }, unsafe_metadata: { theme: 'dark' } },
    });

    const deleted = await usermeta(['users', 'delete', id]);
    expect(deleted).toMatchObject({ code: 0, stdout: '' });
    const gone = await usermeta(['users', 'get', id]);
    expect(gone.code).toBe(4);
    expect(JSON.parse(gone.stderr)).toEqual({ code: 404, message: 'user not found' });
  });

  it('when the server refuses, then the error JSON goes to stderr with the exit code of its class', async () => {
    const id = randomUUID();
    await usermeta(['users', 'create', '--id', id]);
    const conflict = await usermeta(['users', 'create', '--id', id]);
    expect(conflict.code).toBe(5);
    expect(JSON.parse(conflict.stderr)).toEqual({ code: 409, message: 'user already exists' });

    const invalid = await usermeta(['metadata', 'patch', id, '{"public_metadata":[1]}']);
    expect(invalid.code).toBe(6);
    expect(JSON.parse(invalid.stderr)).toEqual({ code: 400, message: 'public_metadata must be an object or null' });

    const badId = await usermeta(['metadata', 'get', 'nope']);
    expect(badId.code).toBe(6);

    const unauthorized = await usermeta(['metadata', 'get', id], { env: { USERMETA_API_KEY: 'wrong-key-0123456789' } });
    expect(unauthorized.code).toBe(3);
    expect(JSON.parse(unauthorized.stderr)).toEqual({ code: 401, message: 'Unauthorized' });
  });

  it('when the command line or its JSON is wrong, then exit 2 with a message', async () => {
    const notJson = await usermeta(['metadata', 'patch', randomUUID(), '{nope']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('not valid JSON');
    const missingFile = await usermeta(['metadata', 'patch', randomUUID(), '@/nonexistent/file.json']);
    expect(missingFile.code).toBe(2);
    expect((await usermeta(['users', 'frobnicate'])).code).toBe(2);
    expect((await usermeta(['metadata', 'get'])).code).toBe(2);
    for (const timeout of ['abc', '-1', '0', '1.5']) {
      const bad = await usermeta(['--timeout', timeout, 'users', 'get', randomUUID()]);
      expect(bad.code, timeout).toBe(2);
      expect(bad.stderr).toContain('whole number of milliseconds');
    }
    const empty = await usermeta(['users', 'delete', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('an id must not be empty');
  });

  it('when users are listed with filters, then matching users come out as JSON lines, newest first', async () => {
    const suite = randomUUID();
    const ids: string[] = [];
    const metadatas: UserMetadataPatch[] = [
      { public_metadata: { suite, plan: 'team', profile: { lang: 'en' }, tags: ['beta', 'x'] } },
      { public_metadata: { suite, plan: 'team', profile: { lang: 'de' } }, private_metadata: { seats: 5 } },
      { public_metadata: { suite, plan: 'free' } },
    ];
    for (const metadata of metadatas) {
      const created = await server().client.createUser({});
      if (created.status !== 201) throw new Error('user not created');
      await server().client.patchUserMetadata(created.body.id, metadata);
      ids.push(created.body.id);
    }
    const [a, b, c] = ids;
    const lines = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line));
    const idsOf = (stdout: string) => lines(stdout).map((user: { id: string }) => user.id);

    const all = await usermeta(['users', 'list', '--public', `suite=${suite}`]);
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(idsOf(all.stdout)).toEqual([c, b, a]);
    expect(lines(all.stdout)[2]).toMatchObject({ id: a, metadata: { public_metadata: { plan: 'team' } } });

    const team = await usermeta(['users', 'list', '--public', `suite=${suite}`, '--public', 'plan=team']);
    expect(idsOf(team.stdout)).toEqual([b, a]);
    expect(
      idsOf((await usermeta(['users', 'list', '--public', `suite=${suite}`, '--public', 'profile.lang=en'])).stdout),
    ).toEqual([a]);
    expect(
      idsOf((await usermeta(['users', 'list', '--public', `suite=${suite}`, '--public', 'tags=["beta"]'])).stdout),
    ).toEqual([a]);
    expect(
      idsOf((await usermeta(['users', 'list', '--public', `suite=${suite}`, '--private', 'seats=5'])).stdout),
    ).toEqual([b]);
    expect(
      idsOf((await usermeta(['users', 'list', '--public', `suite=${suite}`, '--private', 'seats="5"'])).stdout),
    ).toEqual([]);

    const first = await usermeta(['users', 'list', '--public', `suite=${suite}`, '--limit', '2']);
    expect(idsOf(first.stdout)).toEqual([c, b]);
    const { next_cursor } = JSON.parse(first.stderr);
    expect(typeof next_cursor).toBe('string');
    const rest = await usermeta([
      'users',
      'list',
      '--public',
      `suite=${suite}`,
      '--limit',
      '2',
      '--cursor',
      next_cursor,
    ]);
    expect(rest).toMatchObject({ code: 0, stderr: '' });
    expect(idsOf(rest.stdout)).toEqual([a]);

    const walked = await usermeta(['users', 'list', '--public', `suite=${suite}`, '--limit', '1', '--all']);
    expect(walked).toMatchObject({ code: 0, stderr: '' });
    expect(idsOf(walked.stdout)).toEqual([c, b, a]);
  }, 90_000);

  it('when a listing is refused, then the error JSON goes to stderr with exit 6; a bad pair is a usage error', async () => {
    for (const args of [
      ['users', 'list', '--limit', '0'],
      ['users', 'list', '--limit', '0', '--all'],
    ]) {
      const refused = await usermeta(args);
      expect(refused.code, args.join(' ')).toBe(6);
      expect(JSON.parse(refused.stderr)).toEqual({ code: 400, message: 'invalid limit' });
    }
    const badCursor = await usermeta(['users', 'list', '--cursor', 'nope']);
    expect(badCursor.code).toBe(6);
    expect(JSON.parse(badCursor.stderr)).toEqual({ code: 400, message: 'invalid cursor' });
    // Over the server's header limit: 431, which the contract does not declare, still the server's JSON.
    const huge = await usermeta(['users', 'list', '--public', `plan=${'x'.repeat(20_000)}`]);
    expect(huge.code).toBe(6);
    expect(JSON.parse(huge.stderr)).toMatchObject({ code: 431 });
    const badPair = await usermeta(['users', 'list', '--public', 'plan']);
    expect(badPair.code).toBe(2);
    expect(badPair.stderr).toContain('--public takes key=value');
  }, 60_000);

  it('when --help is asked of a command, then it prints usage and exits 0', async () => {
    const help = await usermeta(['metadata', 'patch', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('@file.json');
    const top = await usermeta(['--help']);
    expect(top.stdout).toContain('Exit codes');
  });

  it('when webhooks are added, listed, inspected and removed, and history is read, then each prints JSON and exits 0', async () => {
    const added = await usermeta([
      'webhooks',
      'add',
      'http://127.0.0.1:9/hook',
      '--events',
      'user.metadata.updated,user.deleted',
      '--description',
      'cli test',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const webhook = JSON.parse(added.stdout);
    expect(webhook).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      events: ['user.metadata.updated', 'user.deleted'],
      description: 'cli test',
    });
    expect(webhook.secret).toMatch(/^whsec_/);

    const listed = JSON.parse((await usermeta(['webhooks', 'list'])).stdout);
    expect(listed.webhooks.map((w: { id: string }) => w.id)).toContain(webhook.id);
    expect(JSON.stringify(listed)).not.toContain(webhook.secret);

    const id = randomUUID();
    await usermeta(['users', 'create', '--id', id]);
    for (const n of [1, 2, 3]) await usermeta(['metadata', 'patch', id, JSON.stringify({ public_metadata: { n } })]);
    const page = JSON.parse((await usermeta(['metadata', 'history', id, '--limit', '2'])).stdout);
    expect(page.events.map((e: { data: { version: number } }) => e.data.version)).toEqual([3, 2]);
    const rest = JSON.parse((await usermeta(['metadata', 'history', id, '--cursor', page.next_cursor])).stdout);
    expect(rest).toMatchObject({ events: [{ data: { version: 1 } }] });
    expect(rest.next_cursor).toBeUndefined();

    const deliveries = await usermeta(['webhooks', 'deliveries', webhook.id, '--limit', '5']);
    expect(deliveries.code).toBe(0);
    expect(JSON.parse(deliveries.stdout).deliveries.length).toBeGreaterThanOrEqual(1);

    expect((await usermeta(['webhooks', 'rm', webhook.id])).code).toBe(0);
    const gone = await usermeta(['webhooks', 'rm', webhook.id]);
    expect(gone.code).toBe(4);
    expect(JSON.parse(gone.stderr)).toEqual({ code: 404, message: 'webhook not found' });
    const refused = await usermeta(['webhooks', 'add', 'ftp://example.com/']);
    expect(refused.code).toBe(6);
    expect(JSON.parse(refused.stderr)).toEqual({ code: 400, message: 'invalid webhook url' });
    // Thirteen CLI processes, one after another: slow on a loaded machine.
  }, 120_000);

  it('when the server cannot be reached, then exit 7', async () => {
    const down = await usermeta(['metadata', 'get', randomUUID()], { env: { USERMETA_URL: 'http://127.0.0.1:9' } });
    expect(down.code).toBe(7);
  });
});

/** A scripted $EDITOR: a Node script that gets the file to edit as its last argument. */
async function scriptedEditor(body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'usermeta-editor-'));
  const script = join(dir, 'editor.mjs');
  await writeFile(
    script,
    `import { readFileSync, writeFileSync } from 'node:fs';\nconst file = process.argv.at(-1);\n${body}\n`,
  );
  return `"${process.execPath}" "${script}"`;
}

const keptFile = (stderr: string) => /kept in (\S+)/.exec(stderr)?.[1];

describe('usermeta metadata edit', () => {
  it('when the editor saves a change, then it is patched in with If-Match and the result printed', async () => {
    const id = (await server().client.createUser()).body as { id: string };
    await server().client.patchUserMetadata(id.id, {
      public_metadata: { tags: ['a'], drop: 1 },
      unsafe_metadata: { u: 1 },
    });
    const editor = await scriptedEditor(`
      const metadata = JSON.parse(readFileSync(file, 'utf8'));
      metadata.public_metadata.tags.push('b');
      delete metadata.public_metadata.drop;
      delete metadata.unsafe_metadata;
      metadata.private_metadata = { p: true };
      writeFileSync(file, JSON.stringify(metadata));`);
    const edited = await usermeta(['metadata', 'edit', id.id], { env: { EDITOR: editor } });
    expect(edited.code, edited.stderr).toBe(0);
    const expected = { public_metadata: { tags: ['a', 'b'] }, private_metadata: { p: true } };
    expect(JSON.parse(edited.stdout)).toEqual(expected);
    expect((await server().client.getUserMetadata(id.id)).body).toEqual(expected);
  });

  it('when the metadata changes while the editor is open, then 412 is reported, nothing saved, and the edit kept', async () => {
    const id = (await server().client.createUser()).body as { id: string };
    await server().client.patchUserMetadata(id.id, { public_metadata: { tags: ['a'] } });
    const editor = await scriptedEditor(`
      const id = file.split('/').at(-1).replace('.json', '');
      await fetch(process.env.USERMETA_URL + '/users/' + id + '/metadata', {
        method: 'PATCH',
        headers: { authorization: 'Bearer ' + process.env.USERMETA_API_KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ public_metadata: { tags: ['a', 'theirs'] } }),
      });
      writeFileSync(file, JSON.stringify({ public_metadata: { tags: ['a', 'mine'] } }));`);
    const edited = await usermeta(['metadata', 'edit', id.id], { env: { EDITOR: editor } });
    expect(edited.code).toBe(9);
    expect(edited.stdout).toBe('');
    expect(edited.stderr).toContain('{"code":412,"message":"metadata has changed"}');
    expect(edited.stderr).toMatch(/changed while you were editing; nothing was saved/);
    const file = keptFile(edited.stderr);
    expect(file).toBeDefined();
    expect(JSON.parse(await readFile(file ?? '', 'utf8'))).toEqual({ public_metadata: { tags: ['a', 'mine'] } });
    expect((await server().client.getUserMetadata(id.id)).body).toEqual({ public_metadata: { tags: ['a', 'theirs'] } });
  });

  it('when the editor changes nothing, then nothing is sent and the ETag stays', async () => {
    const id = (await server().client.createUser()).body as { id: string };
    const before = await server().client.patchUserMetadata(id.id, { public_metadata: { a: 1 } });
    const edited = await usermeta(['metadata', 'edit', id.id], { env: { EDITOR: await scriptedEditor('') } });
    expect(edited.code).toBe(0);
    expect(edited.stderr).toMatch(/no changes/);
    expect((await server().client.getUserMetadata(id.id)).etag).toBe(before.etag);
  });

  it('when the edit is not JSON, not metadata, or the editor fails, then exit 2, nothing saved, the file kept', async () => {
    const id = (await server().client.createUser()).body as { id: string };
    const before = await server().client.patchUserMetadata(id.id, { public_metadata: { a: 1 } });
    for (const [body, message] of [
      ["writeFileSync(file, '{ not json');", /not valid JSON/],
      [
        'writeFileSync(file, JSON.stringify({ role: "admin" }));',
        /only public_metadata, private_metadata, unsafe_metadata/,
      ],
      ['writeFileSync(file, JSON.stringify({ public_metadata: [1] }));', /public_metadata must be an object/],
      ['process.exit(3);', /editor exited with 3/],
    ] as const) {
      const edited = await usermeta(['metadata', 'edit', id.id], { env: { EDITOR: await scriptedEditor(body) } });
      expect(edited.code, body).toBe(2);
      expect(edited.stderr).toMatch(message);
      await access(keptFile(edited.stderr) ?? '');
    }
    expect((await server().client.getUserMetadata(id.id)).etag).toBe(before.etag);
  });

  it('when the user does not exist, then exit 4 without opening the editor', async () => {
    const marker = join(await mkdtemp(join(tmpdir(), 'usermeta-editor-')), 'opened');
    const editor = await scriptedEditor(`writeFileSync(${JSON.stringify(marker)}, '');`);
    const edited = await usermeta(['metadata', 'edit', randomUUID()], { env: { EDITOR: editor } });
    expect(edited.code).toBe(4);
    expect(JSON.parse(edited.stderr)).toEqual({ code: 404, message: 'user not found' });
    await expect(access(marker)).rejects.toThrow();
  });
});
