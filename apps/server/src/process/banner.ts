import type { GeneratedKey } from './admin-key.js';

/**
 * For a person at a terminal, on stderr (never through the logger): the URL and, only the
 * first time, the generated key. Afterwards only where it is kept, so that a restarted
 * service does not copy its key into log storage on every start.
 */
export function printBanner(url: string, generated: GeneratedKey | undefined): void {
  const lines = ['', `usermeta is listening on ${url}`, `Console: ${url}/console/ (sign in with an admin API key)`];
  if (generated?.created) {
    lines.push(
      `Admin API key (generated now, shown this once, kept in ${generated.file}, mode 600):`,
      `  ${generated.key}`,
      'Try:',
      `  curl -i -H "Authorization: Bearer ${generated.key}" ${url}/health/ready`,
    );
  } else if (generated) {
    lines.push(
      `Admin API key: the generated one, kept in ${generated.file}`,
      'Try:',
      `  curl -i -H "Authorization: Bearer $(cat ${generated.file})" ${url}/health/ready`,
    );
  }
  process.stderr.write(`${[...lines, ''].join('\n')}\n`);
}
