import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { VERSION } from '../app.js';
import { buildOpenApiDocument } from '../openapi/openapi-document.js';

/** `pnpm openapi [file]`: writes the OpenAPI document generated from the contract (default: openapi.json at the repo root). */
const target = resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2] ?? 'openapi.json');
await writeFile(target, `${JSON.stringify(buildOpenApiDocument(VERSION), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
