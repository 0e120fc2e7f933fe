import { readFile } from 'node:fs/promises';

export class InputError extends Error {}

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** JSON given inline, as `@path/to/file.json`, or as `-` for standard input. */
export async function readJsonArgument(argument: string, stdin: NodeJS.ReadableStream): Promise<unknown> {
  let text: string;
  let source: string;
  if (argument === '-') {
    text = await readStdin(stdin);
    source = 'standard input';
  } else if (argument.startsWith('@')) {
    source = argument.slice(1);
    text = await readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new InputError(`cannot read ${source}: ${error.code ?? error.message}`);
    });
  } else {
    text = argument;
    source = 'the argument';
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${source} is not valid JSON`);
  }
}
