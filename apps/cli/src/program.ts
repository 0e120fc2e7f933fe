import { createUsermetaClient, type UserFilter, type UserMetadataPatch, UsermetaError } from '@usermeta/client';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { editMetadata } from './edit.js';
import { EXIT, exitCodeForStatus } from './exit-codes.js';
import { filterFromPairs } from './filters.js';
import { addKeysCommand } from './keys-command.js';
import { InputError, readJsonArgument } from './read-json.js';

export type Io = {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
};

type Answer = { status: number; body: unknown };
type ListOptions = {
  public: string[];
  private: string[];
  unsafe: string[];
  limit?: string;
  cursor?: string;
  all?: boolean;
};

const EXIT_CODES_HELP = `
Exit codes: 0 ok, 1 server error, 2 usage, 3 unauthorized, 4 not found,
5 conflict (user exists), 6 invalid input (400/413/414/415/431), 7 server unreachable,
8 forbidden (the key lacks the scope or kind),
9 changed meanwhile (412, metadata edit).
Output: the JSON body on stdout; errors as {"code","message"} JSON on stderr.`;

/** `--timeout`: whole milliseconds, at least 1 (anything else is a usage error, exit 2). */
function positiveMs(text: string): number {
  const ms = Number(text);
  if (!/^[0-9]+$/.test(text.trim()) || !Number.isSafeInteger(ms) || ms < 1) {
    throw new InvalidArgumentError('must be a whole number of milliseconds, at least 1');
  }
  return ms;
}

/** The `usermeta` command line. Every outcome ends in a thrown CommanderError carrying the exit code. */
export function createProgram(io: Io): Command {
  const program = new Command('usermeta')
    .description('Admin command line for the usermeta service')
    .addOption(new Option('--url <url>', 'service URL').env('USERMETA_URL').default('http://127.0.0.1:8001'))
    .addOption(new Option('--api-key <key>', 'admin API key').env('USERMETA_API_KEY'))
    .addOption(new Option('--timeout <ms>', 'per-request timeout in ms').default(10_000).argParser(positiveMs))
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError();

  const client = () => {
    const options = program.opts<{ url: string; apiKey?: string; timeout: number }>();
    return createUsermetaClient({
      baseUrl: options.url,
      apiKey: options.apiKey,
      timeoutMs: options.timeout,
    });
  };

  const finish = (answer: Answer, emptyOk: string | undefined): never => {
    const code = exitCodeForStatus(answer.status);
    if (code === EXIT.ok) {
      if (answer.body !== undefined) io.stdout.write(`${JSON.stringify(answer.body, null, 2)}\n`);
      else if (emptyOk !== undefined) io.stdout.write(`${emptyOk}\n`);
    } else {
      io.stderr.write(`${JSON.stringify(answer.body)}\n`);
    }
    throw new CommanderError(code, 'usermeta.done', '');
  };

  const run =
    <A extends unknown[]>(action: (...args: A) => Promise<Answer>, emptyOk?: string) =>
    async (...args: A) =>
      finish(await action(...args), emptyOk);

  const users = program
    .command('users')
    .description('list, create, read and delete users')
    .addHelpText('after', EXIT_CODES_HELP);
  const collect = (value: string, previous: string[]) => [...previous, value];
  users
    .command('list')
    .description('print users, newest first, one JSON object per line; filters match by containment')
    .option('--public <key=value>', 'public_metadata must contain this (repeatable)', collect, [])
    .option('--private <key=value>', 'private_metadata must contain this (repeatable)', collect, [])
    .option('--unsafe <key=value>', 'unsafe_metadata must contain this (repeatable)', collect, [])
    .option('--limit <n>', 'page size, 1-100 (default 20)')
    .option('--cursor <cursor>', 'continue from a next_cursor')
    .option('--all', 'walk every page (else one page, its next_cursor on stderr)')
    .addHelpText(
      'after',
      `
key=value: a dotted key reaches into nested objects (profile.lang=en); the value is JSON when
it parses (5, true, ["a"], {"x":1}), otherwise a string (team). Force a string with quotes:
code='"007"'. Several pairs of one kind must all hold, and so must several kinds.

  usermeta users list --public plan=team --public 'tags=["beta"]' --all`,
    )
    .action(async (options: ListOptions) => {
      const filter: UserFilter = {};
      const kinds = [
        ['public_metadata', options.public, '--public'],
        ['private_metadata', options.private, '--private'],
        ['unsafe_metadata', options.unsafe, '--unsafe'],
      ] as const;
      for (const [kind, pairs, option] of kinds) {
        const value = filterFromPairs(pairs, option);
        if (value) filter[kind] = value;
      }
      const limit = options.limit === undefined ? undefined : Number(options.limit);
      if (limit !== undefined && !Number.isInteger(limit)) throw new InputError('--limit takes a whole number');
      if (options.all) {
        if (options.cursor !== undefined) throw new InputError('--all walks from the first page; leave out --cursor');
        for await (const user of client().users({ filter, ...(limit === undefined ? {} : { limit }) })) {
          io.stdout.write(`${JSON.stringify(user)}\n`);
        }
        return;
      }
      const page = await client().listUsers({ filter, limit, cursor: options.cursor });
      if (page.status !== 200) finish(page, undefined);
      else {
        for (const user of page.body.users) io.stdout.write(`${JSON.stringify(user)}\n`);
        if (page.body.next_cursor !== undefined) {
          io.stderr.write(`${JSON.stringify({ next_cursor: page.body.next_cursor })}\n`);
        }
      }
    });
  users
    .command('create')
    .description('create a user (id generated unless --id is given)')
    .option('--id <id>', 'the UUID to give the user')
    .action(run(async (options: { id?: string }) => client().createUser(options.id ? { id: options.id } : {})));
  users
    .command('get')
    .description('print a user with its metadata')
    .argument('<id>', 'user UUID')
    .action(run(async (id: string) => client().getUser(id)));
  users
    .command('delete')
    .description('delete a user and its metadata')
    .argument('<id>', 'user UUID')
    .action(run(async (id: string) => client().deleteUser(id)));

  const metadata = program
    .command('metadata')
    .description('read and patch user metadata')
    .addHelpText('after', EXIT_CODES_HELP);
  metadata
    .command('get')
    .description('print the metadata of a user ({} when it has none)')
    .argument('<id>', 'user UUID')
    .action(run(async (id: string) => client().getUserMetadata(id), '{}'));
  metadata
    .command('patch')
    .description('merge-patch (RFC 7386) the metadata of a user; prints the result ({} when none is left)')
    .argument('<id>', 'user UUID')
    .argument('<json>', 'the patch: inline JSON, @file.json, or - for standard input')
    .action(
      run(async (id: string, json: string) => {
        const patch = (await readJsonArgument(json, io.stdin)) as UserMetadataPatch;
        return client().patchUserMetadata(id, patch);
      }, '{}'),
    );

  addKeysCommand(program, { client, run, help: EXIT_CODES_HELP });
  metadata
    .command('edit')
    .description(
      'edit the metadata of a user in $VISUAL or $EDITOR (default vi); saved with If-Match, so a change made meanwhile is refused (exit 9) and your edit is kept',
    )
    .argument('<id>', 'user UUID')
    .action(async (id: string) => {
      const result = await editMetadata(client(), id, process.env);
      if (result.stdout !== undefined) io.stdout.write(`${result.stdout}\n`);
      for (const line of result.stderr) io.stderr.write(`${line}\n`);
      throw new CommanderError(result.code, 'usermeta.done', '');
    });
  metadata
    .command('history')
    .description('print the metadata changes of a user, newest first ({"events","next_cursor"?})')
    .argument('<id>', 'user UUID')
    .option('--limit <n>', 'events per page (1-100, default 20)', Number)
    .option('--cursor <cursor>', 'next_cursor from the previous page')
    .action(
      run(async (id: string, options: { limit?: number; cursor?: string }) =>
        client().getMetadataHistory(id, { limit: options.limit, cursor: options.cursor }),
      ),
    );

  const webhooks = program
    .command('webhooks')
    .description('add, list and remove webhook endpoints; see their deliveries')
    .addHelpText('after', EXIT_CODES_HELP);
  webhooks
    .command('add')
    .description('add an endpoint; prints it with its signing secret, shown only this once')
    .argument('<url>', 'http(s) URL that receives the signed POSTs')
    .option('--events <types>', 'comma-separated event types (default: every type)', (value: string) =>
      value.split(',').map((type) => type.trim()),
    )
    .option('--description <text>', 'a note for people')
    .action(
      run(async (url: string, options: { events?: string[]; description?: string }) =>
        client().createWebhook({ url, ...options }),
      ),
    );
  webhooks
    .command('list')
    .description('list the endpoints (secrets are never shown again)')
    .action(run(async () => client().listWebhooks()));
  webhooks
    .command('rm')
    .description('remove an endpoint; its pending deliveries are dropped')
    .argument('<id>', 'webhook UUID')
    .action(run(async (id: string) => client().deleteWebhook(id)));
  webhooks
    .command('deliveries')
    .description('print the deliveries to an endpoint, newest first')
    .argument('<id>', 'webhook UUID')
    .option('--limit <n>', 'how many (1-100, default 20)', Number)
    .action(run(async (id: string, options: { limit?: number }) => client().listWebhookDeliveries(id, options)));

  return program;
}

function isErrorAnswer(error: UsermetaError): boolean {
  if (error.kind === 'error_status') return true;
  const body = error.details.body;
  return error.kind === 'unexpected_status' && typeof body === 'object' && body !== null && 'code' in body;
}

/** Runs the command line and returns the exit code; never throws. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'usermeta.done') return error.exitCode;
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof InputError) {
      io.stderr.write(`usermeta: ${error.message}\n`);
      return EXIT.usage;
    }
    // A refused page, or an answer the contract does not declare (405, 414, 431) that is still
    // the server's {code, message}: printed as it came, with the exit code of its status.
    if (error instanceof UsermetaError && error.status !== undefined && isErrorAnswer(error)) {
      io.stderr.write(`${JSON.stringify(error.details.body)}\n`);
      return exitCodeForStatus(error.status);
    }
    if (error instanceof RangeError) {
      io.stderr.write(`usermeta: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof UsermetaError) {
      io.stderr.write(`usermeta: ${error.message}\n`);
      return error.kind === 'network' || error.kind === 'timeout' ? EXIT.unreachable : EXIT.serverError;
    }
    io.stderr.write(`usermeta: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.serverError;
  }
}
