import { useEffect, useId, useRef } from 'react';
import { type Conflict, conflictKinds, reapplied } from '../metadata/conflict.js';
import { DiffView } from './diff-view.js';

type Props = {
  conflict: Conflict;
  onReload(): void;
  onReapply(): void;
};

/**
 * Shown when Save met 412: what they changed and what I changed since the version I loaded,
 * side by side per kind, and what re-applying my patch on their version would store.
 */
export function ConflictView({ conflict, onReload, onReapply }: Props) {
  const id = useId();
  const merged = reapplied(conflict);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <section ref={ref} tabIndex={-1} className="card conflict" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Someone else changed this user’s metadata</h2>
      <p role="alert">
        Your save was refused (<code>412 metadata has changed</code>): the metadata changed after you loaded it. Nothing
        of yours was saved. Compare, then reload theirs or re-apply your change on top of it.
      </p>
      {conflictKinds(conflict).map(({ kind, theyChanged, iChanged }) => (
        <div key={kind} className="conflict-kind">
          <h3>
            {kind}
            {theyChanged && iChanged && <span className="badge warn">changed by both</span>}
          </h3>
          <div className="sides">
            <div>
              <h4>Theirs (now stored)</h4>
              {theyChanged ? (
                <DiffView before={conflict.base[kind]} after={conflict.theirs[kind]} label={`${kind}: their change`} />
              ) : (
                <p className="note">Not changed by them.</p>
              )}
            </div>
            <div>
              <h4>Mine (not saved)</h4>
              {iChanged ? (
                <DiffView
                  before={conflict.base[kind]}
                  after={reapplied({ ...conflict, theirs: conflict.base })[kind]}
                  label={`${kind}: my change`}
                />
              ) : (
                <p className="note">Not changed by you.</p>
              )}
            </div>
          </div>
          {iChanged && (
            <>
              <h4>If re-applied</h4>
              <DiffView before={conflict.theirs[kind]} after={merged[kind]} label={`${kind}: re-applied on theirs`} />
            </>
          )}
        </div>
      ))}
      <div className="actions">
        <button type="button" onClick={onReload}>
          Reload theirs (drop mine)
        </button>
        <button type="button" className="primary" onClick={onReapply}>
          Re-apply mine on theirs
        </button>
      </div>
    </section>
  );
}
