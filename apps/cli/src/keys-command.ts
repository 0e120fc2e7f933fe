import type { CreateApiKeyBody, MetadataKind, Scope, UsermetaClient } from '@usermeta/client';
import type { Command } from 'commander';
import { InputError } from './read-json.js';

type Answer = { status: number; body: unknown };
type Run = <A extends unknown[]>(
  action: (...args: A) => Promise<Answer>,
  emptyOk?: string,
) => (...args: A) => Promise<void>;

const UNITS_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--expires`: an RFC 3339 timestamp, or a duration from now such as `90m`, `12h`, `30d`. */
export function parseExpiry(value: string, now = Date.now()): string {
  const duration = /^(\d+)([mhd])$/.exec(value);
  if (duration) return new Date(now + Number(duration[1]) * (UNITS_MS[duration[2] as string] ?? 0)).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new InputError(`--expires: expected an RFC 3339 timestamp or a duration like 30d, 12h, 90m; got "${value}"`);
}

/** Repeated or comma-separated values: `--scope a --scope b,c` → [a, b, c]. */
const list = (values: string[]) =>
  values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);

/** `usermeta keys create|list|revoke|current`. */
export function addKeysCommand(program: Command, deps: { client: () => UsermetaClient; run: Run; help: string }): void {
  const keys = program
    .command('keys')
    .description('make, list and revoke API keys (needs a key with keys:manage)')
    .addHelpText('after', deps.help);
  keys
    .command('create')
    .description('make a key; prints it with its secret `key`, which is shown only this once')
    .requiredOption('--name <name>', 'a label for people')
    .requiredOption(
      '--scope <scope...>',
      'scopes, repeated or comma-separated: metadata:read, metadata:write, users:read, users:write, webhooks:manage, keys:manage, metrics:read',
    )
    .option('--kinds <kind...>', 'limit the key to these kinds (public_metadata, private_metadata, unsafe_metadata)')
    .option('--expires <when>', 'RFC 3339 timestamp, or a duration from now: 90m, 12h, 30d')
    .action(
      deps.run(async (options: { name: string; scope: string[]; kinds?: string[]; expires?: string }) => {
        const body: CreateApiKeyBody = {
          name: options.name,
          scopes: list(options.scope) as Scope[],
          ...(options.kinds ? { kinds: list(options.kinds) as MetadataKind[] } : {}),
          ...(options.expires ? { expires_at: parseExpiry(options.expires) } : {}),
        };
        return deps.client().createApiKey(body);
      }),
    );
  keys
    .command('list')
    .description('list the keys made through the API (never their secrets)')
    .action(deps.run(async () => deps.client().listApiKeys()));
  keys
    .command('revoke')
    .description('revoke a key: every server refuses it within 5 seconds')
    .argument('<id>', 'the key id (from keys list)')
    .action(deps.run(async (id: string) => deps.client().revokeApiKey(id)));
  keys
    .command('current')
    .description('what the key in use may do (any key)')
    .action(deps.run(async () => deps.client().currentApiKey()));
}
