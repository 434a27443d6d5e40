import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useRef, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { useMe } from '../../lib/session.tsx';
import { type CreateEmailInboxT, type EmailInboxT, emailApi } from './email-api.ts';
import './email.css';
import { useConfirm } from '../../ui/dialog.tsx';
import { Field } from '../../ui/field.tsx';

/**
 * Settings → Channels → Email: the shop's email inboxes. Passwords are write-only (the API only says
 * whether one is stored), and the webhook secret is shown once, right after it is issued.
 */
export default function EmailSettings() {
  const [ask, askDialog] = useConfirm();
  const me = useMe();
  const admin = me.agent.role === 'admin';
  const list = useQuery({ queryKey: ['email', 'inboxes'], queryFn: emailApi.inboxes });
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [secret, setSecret] = useState<{ inbox: string; secret: string } | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const qc = useQueryClient();
  const refresh = () => qc.invalidateQueries({ queryKey: ['email', 'inboxes'] });
  const act = async (fn: () => Promise<unknown>, ok: string) => {
    setMsg(null);
    try {
      await fn();
      setMsg({ ok: true, text: ok });
      await refresh();
    } catch (e) {
      setMsg({ ok: false, text: e instanceof ApiError ? e.message : 'Something went wrong' });
    }
  };
  const inboxes = list.data?.items ?? [];
  return (
    <div className="stack email-settings">
      {askDialog}
      <h2>Email inboxes</h2>
      <p className="muted small">
        Mail for these addresses (and their +tag sub-addresses) becomes tickets: through the built-in SMTP
        server, IMAP polling, or the provider webhook. Replies go out through the inbox's SMTP relay, the
        server's relay, or — with neither — the local dev mailbox.
      </p>
      {msg && (
        <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
          {msg.text}
        </p>
      )}
      {secret && (
        <p className="notice" role="status" data-testid="webhook-secret">
          Webhook secret for {secret.inbox} (shown once — copy it now): <code>{secret.secret}</code>
        </p>
      )}
      {list.isLoading && <p className="loading">Loading…</p>}
      {list.data && inboxes.length === 0 && <p className="muted">No email inbox yet.</p>}
      {inboxes.map((i) =>
        editing === i.id ? (
          <InboxForm
            key={i.id}
            inbox={i}
            onCancel={() => setEditing(null)}
            onSaved={async () => {
              setEditing(null);
              setMsg({ ok: true, text: `${i.address} saved` });
              await refresh();
            }}
          />
        ) : (
          <InboxCard
            key={i.id}
            inbox={i}
            admin={admin}
            onEdit={() => setEditing(i.id)}
            onRotate={() =>
              void act(async () => {
                const r = await emailApi.rotateSecret(i.id);
                setSecret({ inbox: r.address, secret: r.webhookSecret });
              }, 'New webhook secret issued; the old one no longer works')
            }
            onDelete={async () => {
              if (
                await ask(`Delete the inbox ${i.address}? Mail to it will be refused.`, {
                  confirmLabel: 'Delete',
                })
              )
                void act(() => emailApi.deleteInbox(i.id), `${i.address} deleted`);
            }}
          />
        ),
      )}
      {admin &&
        (editing === 'new' ? (
          <InboxForm
            inbox={null}
            onCancel={() => setEditing(null)}
            onSaved={async (created) => {
              setEditing(null);
              if (created) setSecret({ inbox: created.address, secret: created.secret });
              setMsg({ ok: true, text: 'Inbox created' });
              await refresh();
            }}
          />
        ) : (
          <div>
            <button type="button" className="primary" onClick={() => setEditing('new')}>
              New inbox
            </button>
          </div>
        ))}
    </div>
  );
}

const routeLabel: Record<EmailInboxT['outbound'], string> = {
  'inbox-relay': "this inbox's SMTP relay",
  'server-relay': "the server's relay (EMAIL_RELAY_URL)",
  'dev-mailbox': 'the local dev mailbox (no relay configured)',
};

function InboxCard({
  inbox: i,
  admin,
  onEdit,
  onRotate,
  onDelete,
}: {
  inbox: EmailInboxT;
  admin: boolean;
  onEdit: () => void;
  onRotate: () => void;
  onDelete: () => void;
}) {
  return (
    <section className="card stack" data-testid={`email-inbox-${i.id}`} aria-label={`Inbox ${i.address}`}>
      <h3>
        {i.name} <span className="muted small">&lt;{i.address}&gt;</span>{' '}
        {!i.active && <span className="delivery">switched off</span>}
      </h3>
      <dl className="email-facts small">
        {i.aliases.length > 0 && (
          <>
            <dt>Aliases</dt>
            <dd>{i.aliases.join(', ')}</dd>
          </>
        )}
        <dt>Replies go out through</dt>
        <dd>
          {routeLabel[i.outbound]}
          {i.smtp && ` — ${i.smtp.host}:${i.smtp.port}${i.smtp.secure ? ' (TLS)' : ''}`}
          {i.relayLastError && (
            <span className="error" role="alert">
              {' '}
              · last error ({new Date(i.relayLastError.at).toLocaleString()}): {i.relayLastError.message}
            </span>
          )}
        </dd>
        <dt>IMAP</dt>
        <dd>
          {i.imap ? (
            <>
              {i.imap.user}@{i.imap.host}:{i.imap.port} · folder {i.imap.folder} · last UID {i.imap.lastUid}
              {i.imap.lastPolledAt && ` · polled ${new Date(i.imap.lastPolledAt).toLocaleString()}`}
              {i.imap.lastError && (
                <span className="error" role="alert">
                  {' '}
                  · last error: {i.imap.lastError}
                </span>
              )}
            </>
          ) : (
            'not used'
          )}
        </dd>
        {i.acceptInvalidCertificates && (
          <>
            <dt>Certificates</dt>
            <dd className="error">
              not verified — self-signed and invalid certificates are accepted (unsafe)
            </dd>
          </>
        )}
        <dt>Auto-acknowledgement</dt>
        <dd>{i.autoAck.enabled ? `on — “${i.autoAck.subject}”` : 'off'}</dd>
        <dt>Webhook URL</dt>
        <dd>
          <code>{i.webhookUrl}</code> — POST raw MIME with <code>Authorization: Bearer &lt;secret&gt;</code>
        </dd>
      </dl>
      {admin && (
        <div className="row">
          <button type="button" onClick={onEdit}>
            Edit
          </button>
          <button type="button" onClick={onRotate}>
            New webhook secret
          </button>
          <button type="button" className="danger" onClick={onDelete}>
            Delete
          </button>
        </div>
      )}
    </section>
  );
}

type FormState = {
  name: string;
  address: string;
  aliases: string;
  fromName: string;
  signature: string;
  active: boolean;
  ackEnabled: boolean;
  ackSubject: string;
  ackBody: string;
  ackFallback: string;
  smtpOn: boolean;
  smtpHost: string;
  smtpPort: string;
  smtpSecure: boolean;
  smtpUser: string;
  smtpPassword: string;
  imapOn: boolean;
  imapHost: string;
  imapPort: string;
  imapSecure: boolean;
  imapUser: string;
  imapPassword: string;
  imapFolder: string;
  imapAfter: 'seen' | 'move' | 'keep';
  imapMoveTo: string;
  acceptInvalidCerts: boolean;
};

const fromInbox = (i: EmailInboxT | null): FormState => ({
  name: i?.name ?? '',
  address: i?.address ?? '',
  aliases: i?.aliases.join(', ') ?? '',
  fromName: i?.fromName ?? '',
  signature: i?.signature ?? '',
  active: i?.active ?? true,
  ackEnabled: i?.autoAck.enabled ?? true,
  ackSubject: i?.autoAck.subject ?? '',
  ackBody: i?.autoAck.body ?? '',
  ackFallback: i?.autoAck.expectedResponseFallback ?? '',
  smtpOn: !!i?.smtp,
  smtpHost: i?.smtp?.host ?? '',
  smtpPort: String(i?.smtp?.port ?? 587),
  smtpSecure: i?.smtp?.secure ?? false,
  smtpUser: i?.smtp?.user ?? '',
  smtpPassword: '',
  imapOn: !!i?.imap,
  imapHost: i?.imap?.host ?? '',
  imapPort: String(i?.imap?.port ?? 993),
  imapSecure: i?.imap?.secure ?? true,
  imapUser: i?.imap?.user ?? '',
  imapPassword: '',
  imapFolder: i?.imap?.folder ?? 'INBOX',
  imapAfter: i?.imap?.after ?? 'seen',
  imapMoveTo: i?.imap?.moveTo ?? '',
  acceptInvalidCerts: i?.acceptInvalidCertificates ?? false,
});

type Errors = Record<string, string>;

function toPayload(f: FormState, creating: boolean): { body: CreateEmailInboxT; errors: Errors } {
  const errors: Errors = {};
  const port = (v: string, key: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) errors[key] = 'a port number from 1 to 65535';
    return n;
  };
  const autoAck: NonNullable<CreateEmailInboxT['autoAck']> = { enabled: f.ackEnabled, body: f.ackBody };
  // Empty on a new inbox means "the server's default"; on an existing one the field is required.
  if (f.ackSubject || !creating) autoAck.subject = f.ackSubject;
  if (f.ackFallback || !creating) autoAck.expectedResponseFallback = f.ackFallback;
  const body: CreateEmailInboxT = {
    name: f.name,
    address: f.address,
    aliases: f.aliases
      .split(/[\s,;]+/)
      .map((a) => a.trim())
      .filter(Boolean),
    fromName: f.fromName.trim() || null,
    signature: f.signature,
    active: f.active,
    autoAck,
    smtp: f.smtpOn
      ? {
          host: f.smtpHost,
          port: port(f.smtpPort, 'smtp.port'),
          secure: f.smtpSecure,
          user: f.smtpUser.trim() || null,
          // Omitted keeps the stored password: the form never sees it.
          ...(f.smtpPassword ? { password: f.smtpPassword } : {}),
        }
      : null,
    imap: f.imapOn
      ? {
          host: f.imapHost,
          port: port(f.imapPort, 'imap.port'),
          secure: f.imapSecure,
          user: f.imapUser,
          ...(f.imapPassword ? { password: f.imapPassword } : {}),
          folder: f.imapFolder,
          after: f.imapAfter,
          moveTo: f.imapAfter === 'move' ? f.imapMoveTo || null : null,
        }
      : null,
    acceptInvalidCertificates: f.acceptInvalidCerts,
  };
  return { body, errors };
}

/** Server error details look like `{path: 'body.smtp.port', message}`; fields are keyed without `body.`. */
function fieldErrors(e: unknown): { fields: Errors; general: string } {
  if (!(e instanceof ApiError)) return { fields: {}, general: 'Something went wrong' };
  const fields: Errors = {};
  if (Array.isArray(e.details))
    for (const d of e.details as { path?: string; message?: string }[])
      if (d.path)
        fields[d.path.replace(/^body\./, '').replace(/^aliases\.\d+$/, 'aliases')] ??= d.message ?? '';
  // "already used by an inbox" names the address; put it where the user typed it.
  if (e.status === 409) fields.address = e.message;
  return { fields, general: e.message };
}

const VARIABLES = ['contact.name', 'ticket.id', 'ticket.subject', 'inbox.name', 'expected_response'] as const;

function InboxForm({
  inbox,
  onCancel,
  onSaved,
}: {
  inbox: EmailInboxT | null;
  onCancel: () => void;
  onSaved: (created: { address: string; secret: string } | null) => Promise<void>;
}) {
  const [f, setF] = useState<FormState>(() => fromInbox(inbox));
  const [errors, setErrors] = useState<Errors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const idBase = `inbox-${inbox?.id ?? 'new'}`;

  const field = (
    key: keyof FormState,
    label: string,
    errKey: string,
    opts: { type?: string; placeholder?: string; hint?: ReactNode } = {},
  ) => (
    <Field label={label} id={`${idBase}-${key}`} error={errors[errKey]} hint={opts.hint}>
      <input
        id={`${idBase}-${key}`}
        type={opts.type ?? 'text'}
        value={String(f[key])}
        placeholder={opts.placeholder}
        autoComplete={opts.type === 'password' ? 'new-password' : 'off'}
        aria-invalid={errors[errKey] ? true : undefined}
        aria-describedby={errors[errKey] ? `${idBase}-${key}-error` : undefined}
        onChange={(e) => set(key, e.target.value as never)}
      />
    </Field>
  );
  const check = (key: keyof FormState, label: string) => (
    <label className="check">
      <input
        type="checkbox"
        checked={Boolean(f[key])}
        onChange={(e) => set(key, e.target.checked as never)}
      />{' '}
      {label}
    </label>
  );

  const insertVariable = (v: string) => {
    const el = bodyRef.current;
    const token = `{{${v}}}`;
    const at = el ? el.selectionStart : f.ackBody.length;
    const end = el ? el.selectionEnd : at;
    set('ackBody', f.ackBody.slice(0, at) + token + f.ackBody.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };

  const submit = async () => {
    const { body, errors: local } = toPayload(f, !inbox);
    setErrors(local);
    setGeneral(null);
    if (Object.keys(local).length) {
      setGeneral('Please correct the marked fields.');
      return;
    }
    setBusy(true);
    try {
      if (inbox) {
        await emailApi.updateInbox(inbox.id, body);
        await onSaved(null);
      } else {
        const created = await emailApi.createInbox(body);
        await onSaved({ address: created.address, secret: created.webhookSecret });
      }
    } catch (e) {
      const r = fieldErrors(e);
      setErrors(r.fields);
      setGeneral(r.general);
    } finally {
      setBusy(false);
    }
  };

  const preview = renderPreview(f);
  return (
    <form
      className="card email-form"
      aria-label={inbox ? `Edit inbox ${inbox.address}` : 'New inbox'}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      noValidate
    >
      <h3>{inbox ? `Edit ${inbox.address}` : 'New inbox'}</h3>
      {general && (
        <p className="error" role="alert">
          {general}
        </p>
      )}
      <fieldset>
        <legend>Addresses</legend>
        {field('name', 'Name', 'name', { placeholder: 'Support' })}
        {field('address', 'Support address', 'address', { placeholder: 'support@your-shop.com' })}
        {field('aliases', 'Aliases (comma-separated)', 'aliases', {
          placeholder: 'help@your-shop.com, orders@your-shop.com',
        })}
        {field('fromName', 'From name', 'fromName', { placeholder: 'Your Shop' })}
        {check('active', 'Active (accept mail for these addresses)')}
      </fieldset>

      <fieldset>
        <legend>Signature</legend>
        <Field label="Signature under every reply" id={`${idBase}-signature`} error={errors.signature}>
          <textarea
            id={`${idBase}-signature`}
            rows={3}
            value={f.signature}
            onChange={(e) => set('signature', e.target.value)}
          />
        </Field>
      </fieldset>

      <fieldset>
        <legend>Outgoing mail (SMTP relay)</legend>
        {check('smtpOn', 'Send replies through this SMTP relay')}
        {!f.smtpOn && (
          <p className="muted small">
            Without a relay, replies use the server's relay if one is configured, else the dev mailbox.
          </p>
        )}
        {f.smtpOn && (
          <>
            {field('smtpHost', 'SMTP host', 'smtp.host', { placeholder: 'smtp.your-provider.com' })}
            {field('smtpPort', 'SMTP port', 'smtp.port', { type: 'number' })}
            {check('smtpSecure', 'TLS from the first byte (port 465); otherwise STARTTLS when offered')}
            {field('smtpUser', 'SMTP user', 'smtp.user')}
            {field('smtpPassword', 'SMTP password', 'smtp.password', {
              type: 'password',
              placeholder: inbox?.smtp?.hasPassword ? 'stored — leave empty to keep it' : '',
            })}
          </>
        )}
      </fieldset>

      <fieldset>
        <legend>Fetch from a mailbox (IMAP)</legend>
        {check('imapOn', 'Fetch mail from an IMAP mailbox')}
        {f.imapOn && (
          <>
            {field('imapHost', 'IMAP host', 'imap.host', { placeholder: 'imap.your-provider.com' })}
            {field('imapPort', 'IMAP port', 'imap.port', { type: 'number' })}
            {check('imapSecure', 'TLS')}
            {field('imapUser', 'IMAP user', 'imap.user')}
            {field('imapPassword', 'IMAP password', 'imap.password', {
              type: 'password',
              placeholder: inbox?.imap ? 'stored — leave empty to keep it' : '',
            })}
            {field('imapFolder', 'Folder', 'imap.folder')}
            <Field label="After fetching" id={`${idBase}-imapAfter`} error={errors['imap.after']}>
              <select
                id={`${idBase}-imapAfter`}
                value={f.imapAfter}
                onChange={(e) => set('imapAfter', e.target.value as FormState['imapAfter'])}
              >
                <option value="seen">Mark as read</option>
                <option value="move">Move to a folder</option>
                <option value="keep">Leave as it is</option>
              </select>
            </Field>
            {f.imapAfter === 'move' && field('imapMoveTo', 'Move to folder', 'imap.moveTo')}
          </>
        )}
      </fieldset>

      {(f.smtpOn || f.imapOn) && (
        <fieldset>
          <legend>Certificates</legend>
          {check('acceptInvalidCerts', 'Accept self-signed / invalid certificates')}
          <p className={f.acceptInvalidCerts ? 'error small' : 'muted small'}>
            Unsafe: with this on, the IMAP server's and the relay's TLS certificates are not checked, so
            anyone on the network path could read the mail and the passwords. Only for a private server you
            control whose certificate is self-signed.
          </p>
        </fieldset>
      )}

      <fieldset>
        <legend>Auto-acknowledgement</legend>
        {check('ackEnabled', 'Acknowledge new email tickets automatically')}
        {field('ackSubject', 'Subject', 'autoAck.subject', {
          placeholder: inbox ? '' : 'Re: {{ticket.subject}} [#{{ticket.id}}] (default)',
        })}
        <Field
          label="Message (empty uses the built-in text)"
          id={`${idBase}-ackBody`}
          error={errors['autoAck.body']}
        >
          <textarea
            id={`${idBase}-ackBody`}
            ref={bodyRef}
            rows={7}
            value={f.ackBody}
            onChange={(e) => set('ackBody', e.target.value)}
          />
        </Field>
        <div className="row small">
          Insert:
          {VARIABLES.map((v) => (
            <button key={v} type="button" className="chip" onClick={() => insertVariable(v)}>
              {`{{${v}}}`}
            </button>
          ))}
        </div>
        {field(
          'ackFallback',
          'Promise when there is too little history',
          'autoAck.expectedResponseFallback',
          {
            placeholder: inbox ? '' : 'within one business day (default)',
            hint: '{{expected_response}} states the median first-response time of the last 30 days when at least five tickets were answered; otherwise this.',
          },
        )}
        {f.ackBody && (
          <section className="email-preview" aria-label="Preview">
            <div className="muted small">Preview (sample values)</div>
            <strong>{preview.subject}</strong>
            <pre>{preview.body}</pre>
          </section>
        )}
      </fieldset>

      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {inbox ? 'Save' : 'Create inbox'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function renderPreview(f: FormState) {
  const vars: Record<string, string> = {
    'contact.name': 'Ada Lovelace',
    'ticket.id': '1234',
    'ticket.subject': 'Where is my order?',
    'inbox.name': f.name || 'Support',
    expected_response: `We aim to reply ${f.ackFallback || 'within one business day'}.`,
  };
  const render = (t: string) => t.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => vars[k] ?? '');
  return {
    subject: render(f.ackSubject || 'Re: {{ticket.subject}} [#{{ticket.id}}]'),
    body: render(f.ackBody),
  };
}
