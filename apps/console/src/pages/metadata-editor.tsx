import { useMutation } from '@tanstack/react-query';
import { type JsonObject, METADATA_KINDS, type MetadataKind } from '@usermeta/contract';
import { useEffect, useId, useMemo, useState } from 'react';
import { DiffView } from '../components/diff-view.js';
import { JsonEditor } from '../components/json-editor.js';
import { KindMeter } from '../components/kind-meter.js';
import { describeError, expectStatus } from '../lib/api.js';
import { can, canSeeKind } from '../lib/identity.js';
import { type LoadedMetadata, loadMetadata } from '../lib/metadata-api.js';
import { parseRoute, useLeaveGuard } from '../lib/router.js';
import { useSession } from '../lib/session-context.js';
import type { Conflict } from '../metadata/conflict.js';
import { KIND_LIMIT, kindText, type Metadata, type MetadataPatch, parseKind, planSave } from '../metadata/draft.js';
import { KIND_HELP } from '../metadata/kinds.js';

type Props = {
  userId: string;
  /** The stored metadata the edits start from, and its ETag (sent as If-Match). */
  base: Metadata;
  etag: string | undefined;
  /** What the editors show at first, when not `base` (a change re-applied after a conflict). */
  draft?: Metadata | undefined;
  /** True while a conflict is shown: Save waits for the person's choice. */
  blocked?: boolean;
  onSaved(loaded: LoadedMetadata): void;
  /** Save met 412: what is stored now, against my patch. */
  onConflict(conflict: Conflict): void;
  /** Told whenever the edits start or stop differing from `base`. */
  onDirtyChange?(dirty: boolean): void;
};

type Preview = 'patch' | 'before-after';

function initialTexts(base: Metadata): Record<MetadataKind, string> {
  return {
    public_metadata: kindText(base.public_metadata),
    private_metadata: kindText(base.private_metadata),
    unsafe_metadata: kindText(base.unsafe_metadata),
  };
}

/** The three kinds in JSON editors, what Save would send, and Save itself. */
export function MetadataEditor({ userId, base, etag, draft, blocked, onSaved, onConflict, onDirtyChange }: Props) {
  const { client, identity } = useSession();
  const idPrefix = useId();
  const [texts, setTexts] = useState(() => initialTexts(draft ?? base));
  const [preview, setPreview] = useState<Preview>('patch');
  const visible = METADATA_KINDS.filter((kind) => canSeeKind(identity, kind));
  const mayWrite = can(identity, 'metadata:write');

  const parsed = useMemo(
    () =>
      Object.fromEntries(METADATA_KINDS.map((kind) => [kind, parseKind(texts[kind])])) as Record<
        MetadataKind,
        ReturnType<typeof parseKind>
      >,
    [texts],
  );
  const plan = useMemo(() => {
    const edited = {} as Record<MetadataKind, JsonObject>;
    for (const kind of METADATA_KINDS) {
      const result = parsed[kind];
      if (!result.ok) return undefined;
      edited[kind] = result.value;
    }
    return planSave(base, edited);
  }, [parsed, base]);
  const changed = plan !== undefined && plan.changes.length > 0;
  const dirty = METADATA_KINDS.some((kind) => texts[kind] !== kindText(base[kind]));
  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  // Leaving this user's pages inside the console drops the edits too: ask first. Its own tabs
  // keep the editor (and the edits) as they are.
  const leaveGuard = useMemo(
    () =>
      dirty
        ? (to: string) => {
            const next = parseRoute(new URL(to, window.location.href).pathname);
            if (next.name === 'user' && next.id === userId) return true;
            return window.confirm('Leave this user? Your unsaved metadata edits will be lost.');
          }
        : undefined,
    [dirty, userId],
  );
  useLeaveGuard(leaveGuard);

  const save = useMutation({
    mutationFn: async (patch: MetadataPatch): Promise<LoadedMetadata | Conflict> => {
      const result = await client.patchUserMetadata(userId, patch, etag === undefined ? {} : { ifMatch: etag });
      if (result.status === 412) {
        const theirs = await loadMetadata(client, userId);
        return { base, theirs: theirs.metadata, theirsEtag: theirs.etag, mine: patch };
      }
      const saved = expectStatus(result, 200, 204);
      return { metadata: saved.status === 200 ? saved.body : {}, etag: saved.etag };
    },
    onSuccess: (outcome) => ('mine' in outcome ? onConflict(outcome) : onSaved(outcome)),
  });

  return (
    <form
      className="metadata-editor"
      aria-label="Edit metadata"
      onSubmit={(event) => {
        event.preventDefault();
        if (plan && changed) save.mutate(plan.patch);
      }}
    >
      {!mayWrite && <p className="note">This key may read metadata but not change it.</p>}
      <div className="kinds">
        {visible.map((kind) => {
          const headingId = `${idPrefix}-${kind}`;
          const errorId = `${headingId}-error`;
          const result = parsed[kind];
          return (
            <section key={kind} className="kind card" aria-labelledby={headingId}>
              <h3 id={headingId}>{kind}</h3>
              <p className="help">{KIND_HELP[kind]}</p>
              <JsonEditor
                value={texts[kind]}
                onChange={(value) => setTexts((old) => ({ ...old, [kind]: value }))}
                labelledBy={headingId}
                describedBy={errorId}
                readOnly={!mayWrite}
              />
              <p id={errorId} className="error" role={result.ok ? undefined : 'alert'}>
                {result.ok ? '' : `${kind}: ${result.error}`}
              </p>
              <KindMeter id={`${headingId}-meter`} length={plan?.lengths[kind] ?? 0} />
            </section>
          );
        })}
      </div>
      {METADATA_KINDS.length > visible.length && (
        <p className="note">
          This key cannot see {METADATA_KINDS.filter((kind) => !visible.includes(kind)).join(' or ')}.
        </p>
      )}

      {mayWrite && (
        <section className="card preview" aria-labelledby={`${idPrefix}-preview`}>
          <div className="preview-head">
            <h3 id={`${idPrefix}-preview`}>What Save sends</h3>
            <fieldset className="toggle">
              <legend className="sr-only">Show</legend>
              <button type="button" aria-pressed={preview === 'patch'} onClick={() => setPreview('patch')}>
                Merge patch
              </button>
              <button
                type="button"
                aria-pressed={preview === 'before-after'}
                onClick={() => setPreview('before-after')}
              >
                Before / after
              </button>
            </fieldset>
          </div>
          {!plan && <p className="note">Fix the JSON errors above to see the change.</p>}
          {plan && !changed && <p className="note">No changes yet: edit a kind above.</p>}
          {plan && changed && preview === 'patch' && (
            <figure className="patch" aria-label="Merge patch body">
              <pre>
                <code>
                  {`PATCH /users/${userId}/metadata\n${etag ? `If-Match: ${etag}\n` : ''}\n${JSON.stringify(plan.patch, null, 2)}`}
                </code>
              </pre>
            </figure>
          )}
          {plan && changed && preview === 'before-after' && (
            <div className="before-after">
              {plan.changes.map((change) => (
                <div key={change.kind}>
                  <h4>{change.kind}</h4>
                  <DiffView before={change.before} after={change.after} label={`${change.kind} before and after`} />
                </div>
              ))}
            </div>
          )}
          {plan && plan.nullMembers.length > 0 && (
            <p className="note">
              A <code>null</code> member deletes its key in a merge patch: it is not stored (
              {plan.nullMembers.join(', ')}).
            </p>
          )}
          {plan && METADATA_KINDS.some((kind) => plan.lengths[kind] > KIND_LIMIT) && (
            <p className="note warn">A kind is over the {KIND_LIMIT}-character limit: the API will refuse this save.</p>
          )}
          {save.isError && (
            <p role="alert" className="error">
              {describeError(save.error)}
            </p>
          )}
          <div className="actions">
            <button type="button" disabled={!dirty || save.isPending} onClick={() => setTexts(initialTexts(base))}>
              Discard changes
            </button>
            <button type="submit" className="primary" disabled={!changed || save.isPending || blocked}>
              {save.isPending ? 'Saving…' : 'Save'}
            </button>
          </div>
        </section>
      )}
    </form>
  );
}
