import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { EVENT_TYPES, type Webhook } from '@usermeta/contract';
import { useId, useState } from 'react';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { describeError, expectStatus } from '../lib/api.js';
import { useSession } from '../lib/session-context.js';

const WEBHOOKS = ['webhooks'] as const;

/** The signing secret, shown once right after the endpoint is made, with a copy button. */
function SecretOnce({ secret, onDone }: { secret: string; onDone(): void }) {
  const id = useId();
  const [copied, setCopied] = useState<string>();
  return (
    <section className="card secret" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Signing secret — shown only now</h3>
      <p>Store it where your receiver can read it; the API never shows it again.</p>
      <div className="row">
        <input
          id={`${id}-secret`}
          aria-label="Signing secret"
          readOnly
          value={secret}
          onFocus={(e) => e.target.select()}
        />
        <button
          type="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(secret);
              setCopied('Copied.');
            } catch {
              setCopied('Copying was refused by the browser: select the text and copy it.');
            }
          }}
        >
          Copy
        </button>
      </div>
      <p role="status" className="note">
        {copied ?? ''}
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}

function AddWebhook({ onCreated }: { onCreated(secret: string): void }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const id = useId();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const add = useMutation({
    mutationFn: async () =>
      expectStatus(
        await client.createWebhook({
          url: url.trim(),
          ...(types.length > 0 ? { events: types } : {}),
          ...(description.trim() ? { description: description.trim() } : {}),
        }),
        201,
      ).body,
    onSuccess: (created) => {
      setUrl('');
      setDescription('');
      setTypes([]);
      void queryClient.invalidateQueries({ queryKey: WEBHOOKS });
      onCreated(created.secret);
    },
  });
  return (
    <form
      className="card"
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        add.mutate();
      }}
    >
      <h2 id={`${id}-title`}>Add an endpoint</h2>
      <label htmlFor={`${id}-url`}>URL</label>
      <input
        id={`${id}-url`}
        type="url"
        required
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        placeholder="https://example.com/hooks/usermeta"
      />
      <fieldset className="event-types">
        <legend>Events (none ticked: every type)</legend>
        {EVENT_TYPES.map((type) => (
          <label key={type} className="check">
            <input
              type="checkbox"
              checked={types.includes(type)}
              onChange={(e) => setTypes((old) => (e.target.checked ? [...old, type] : old.filter((t) => t !== type)))}
            />
            <code>{type}</code>
          </label>
        ))}
      </fieldset>
      <label htmlFor={`${id}-description`}>Description (optional)</label>
      <input id={`${id}-description`} value={description} onChange={(e) => setDescription(e.target.value)} />
      {add.isError && (
        <p role="alert" className="error">
          {describeError(add.error)}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={add.isPending}>
          Add endpoint
        </button>
      </div>
    </form>
  );
}

function Deliveries({ webhook }: { webhook: Webhook }) {
  const { client } = useSession();
  const deliveries = useQuery({
    queryKey: ['webhooks', webhook.id, 'deliveries'],
    queryFn: async () => expectStatus(await client.listWebhookDeliveries(webhook.id, { limit: 50 }), 200).body,
    refetchInterval: 5000,
  });
  if (deliveries.isPending) return <p role="status">Loading deliveries…</p>;
  if (deliveries.isError)
    return (
      <p role="alert" className="error">
        {describeError(deliveries.error)}
      </p>
    );
  if (deliveries.data.deliveries.length === 0) return <p className="note">No deliveries yet.</p>;
  return (
    <table aria-label={`Deliveries to ${webhook.url}`}>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">Last answer</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.data.deliveries.map((d) => (
          <tr key={d.event_id}>
            <td>
              <code>{d.type}</code>
            </td>
            <td>
              <span className={`status ${d.status}`}>{d.status}</span>
              {d.next_attempt_at && (
                <span className="note">
                  {' '}
                  next <time dateTime={d.next_attempt_at}>{new Date(d.next_attempt_at).toLocaleTimeString()}</time>
                </span>
              )}
            </td>
            <td>{d.attempts}</td>
            <td>{d.last_status ?? d.last_error ?? '—'}</td>
            <td>
              <time dateTime={d.updated_at}>{new Date(d.updated_at).toLocaleString()}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WebhookRow({ webhook }: { webhook: Webhook }) {
  const { client } = useSession();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const remove = useMutation({
    mutationFn: async () => {
      expectStatus(await client.deleteWebhook(webhook.id), 204);
    },
    onSuccess: () => {
      setConfirm(false);
      void queryClient.invalidateQueries({ queryKey: WEBHOOKS });
    },
  });
  return (
    <li className="card webhook">
      <div className="page-head">
        <div>
          <h3 className="webhook-url">{webhook.url}</h3>
          <p className="note">
            {webhook.events.join(', ')}
            {webhook.description ? ` · ${webhook.description}` : ''} · added{' '}
            <time dateTime={webhook.created_at}>{new Date(webhook.created_at).toLocaleString()}</time>
          </p>
        </div>
        <div className="actions">
          <button type="button" aria-expanded={open} onClick={() => setOpen((v) => !v)}>
            Deliveries
          </button>
          <button type="button" className="danger" onClick={() => setConfirm(true)}>
            Remove…
          </button>
        </div>
      </div>
      {open && <Deliveries webhook={webhook} />}
      <ConfirmDialog
        open={confirm}
        title="Remove this endpoint?"
        confirmLabel="Remove endpoint"
        danger
        busy={remove.isPending}
        error={remove.isError ? describeError(remove.error) : undefined}
        onConfirm={() => remove.mutate()}
        onCancel={() => {
          setConfirm(false);
          remove.reset();
        }}
      >
        <p>
          <code>{webhook.url}</code> stops receiving events; deliveries still pending to it are dropped.
        </p>
      </ConfirmDialog>
    </li>
  );
}

export function WebhooksPage() {
  const { client } = useSession();
  const [secret, setSecret] = useState<string>();
  const webhooks = useQuery({
    queryKey: WEBHOOKS,
    queryFn: async () => expectStatus(await client.listWebhooks(), 200).body.webhooks,
  });
  return (
    <>
      <h1>Webhooks</h1>
      {secret ? (
        <SecretOnce secret={secret} onDone={() => setSecret(undefined)} />
      ) : (
        <AddWebhook onCreated={setSecret} />
      )}
      <h2>Endpoints</h2>
      {webhooks.isPending && <p role="status">Loading…</p>}
      {webhooks.isError && (
        <p role="alert" className="error">
          {describeError(webhooks.error)}
        </p>
      )}
      {webhooks.data?.length === 0 && <p className="note">No endpoints yet.</p>}
      {webhooks.data && webhooks.data.length > 0 && (
        <ul className="webhooks" aria-label="Endpoints">
          {webhooks.data.map((webhook) => (
            <WebhookRow key={webhook.id} webhook={webhook} />
          ))}
        </ul>
      )}
    </>
  );
}
