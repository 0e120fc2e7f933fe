import type { JsonObject } from '@usermeta/contract';
import { kindText } from '../metadata/draft.js';
import { diffLines } from '../metadata/line-diff.js';

const MARK = { same: ' ', added: '+', removed: '-' } as const;
const SPOKEN = { same: '', added: 'added: ', removed: 'removed: ' } as const;

/** A unified line diff of two versions of a kind (absent shows as nothing). */
export function DiffView({
  before,
  after,
  label,
}: {
  before: JsonObject | undefined;
  after: JsonObject | undefined;
  label: string;
}) {
  const lines = diffLines(before ? kindText(before) : '', after ? kindText(after) : '');
  return (
    <ol className="diff" aria-label={label}>
      {lines.map((line, i) => (
        <li key={i} className={line.op}>
          <span className="mark" aria-hidden="true">
            {MARK[line.op]}
          </span>
          <span className="sr-only">{SPOKEN[line.op]}</span>
          <code>{line.text}</code>
        </li>
      ))}
    </ol>
  );
}
