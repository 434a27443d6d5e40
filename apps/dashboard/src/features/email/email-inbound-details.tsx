import type { MessageT } from '../../lib/api.ts';
import { bytes, dateTime } from '../../ui/format.ts';
import { PlainBody, SafeHtml } from '../ticket/safe-html.tsx';
import './email.css';

/** One attached (forwarded) message as the server stored it in channelMeta.forwarded. */
interface Forwarded {
  from: { address: string; name: string | null } | null;
  to: string[];
  cc: string[];
  date: string | null;
  subject: string;
  text: string;
  html: string | null;
  attachments: { filename: string; contentType: string; sizeBytes: number }[];
  forwarded: Forwarded[];
}

/** A stable key for a forwarded message (the list never reorders; subject+date+sender tell them apart). */
const keyOf = (f: Forwarded, i: number) => `${i}:${f.from?.address ?? ''}:${f.date ?? ''}:${f.subject}`;

const sender = (f: Forwarded['from']) =>
  f ? (f.name ? `${f.name} <${f.address}>` : f.address) : 'unknown sender';

function ForwardedCard({ f, depth }: { f: Forwarded; depth: number }) {
  return (
    <section className="email-forwarded" aria-label={`Forwarded message: ${f.subject || '(no subject)'}`}>
      <span className="muted small">{depth > 1 ? 'Forwarded within it' : 'Forwarded message'}</span>
      <dl className="email-forwarded-head small">
        <dt>From</dt>
        <dd>{sender(f.from)}</dd>
        {f.date && (
          <>
            <dt>Date</dt>
            <dd>
              <time dateTime={f.date}>{dateTime(f.date)}</time>
            </dd>
          </>
        )}
        <dt>Subject</dt>
        <dd>{f.subject || '(no subject)'}</dd>
        {f.to.length > 0 && (
          <>
            <dt>To</dt>
            <dd>{f.to.join(', ')}</dd>
          </>
        )}
      </dl>
      {f.html ? (
        <SafeHtml html={f.html} title={`Forwarded message from ${sender(f.from)}`} />
      ) : (
        <PlainBody text={f.text} />
      )}
      {f.attachments.length > 0 && (
        <p className="muted small">
          Attached: {f.attachments.map((a) => `${a.filename} (${bytes(a.sizeBytes)})`).join(', ')}
        </p>
      )}
      {f.forwarded.map((inner, i) => (
        <ForwardedCard key={keyOf(inner, i)} f={inner} depth={depth + 1} />
      ))}
    </section>
  );
}

/**
 * Under an inbound email: parts the server could not read as sent (a broken MIME boundary), and the
 * messages forwarded as attachments, each level with its sender, date, subject and sanitised body.
 */
interface SenderAuth {
  verdict: 'pass' | 'fail' | 'none';
  reason: string;
  claimsKnownCustomer?: boolean;
}

/** Shown when the sender could not be verified and it matters: a failed check, or a known customer's name. */
function SenderWarning({ auth, ccNotAdded }: { auth?: SenderAuth; ccNotAdded?: string[] }) {
  if (!auth || auth.verdict === 'pass') return null;
  if (auth.verdict === 'none' && !auth.claimsKnownCustomer && !ccNotAdded?.length) return null;
  const serious = auth.verdict === 'fail' || auth.claimsKnownCustomer;
  return (
    <div
      className={serious ? 'email-warning email-warning-sender' : 'email-notice'}
      role="note"
      aria-label="Unverified sender"
    >
      {serious && (
        <strong>
          {auth.verdict === 'fail' ? 'Sender verification failed' : 'Unverified sender'}
          {auth.claimsKnownCustomer ? ': this email claims to be from a known customer.' : '.'}
        </strong>
      )}{' '}
      <span>
        {auth.verdict === 'fail'
          ? 'It may be forged. '
          : serious
            ? 'Nothing confirms it comes from that address. '
            : ''}
        {serious && 'Check before changing orders, addresses or payment details. '}
        <span className="muted small">({auth.reason})</span>
      </span>
      {ccNotAdded && ccNotAdded.length > 0 && (
        <p className="small">Not added as followers (they would get every reply): {ccNotAdded.join(', ')}</p>
      )}
    </div>
  );
}

export default function EmailInboundDetails({ message: m }: { message: MessageT }) {
  if (m.channel !== 'email' || m.kind !== 'inbound') return null;
  const meta = m.channelMeta as {
    forwarded?: Forwarded[];
    mimeProblems?: string[];
    senderAuth?: SenderAuth;
    ccNotAdded?: string[];
  };
  const problems = meta.mimeProblems ?? [];
  const forwarded = meta.forwarded ?? [];
  const warnSender =
    !!meta.senderAuth &&
    meta.senderAuth.verdict !== 'pass' &&
    (meta.senderAuth.verdict === 'fail' ||
      !!meta.senderAuth.claimsKnownCustomer ||
      !!meta.ccNotAdded?.length);
  if (!problems.length && !forwarded.length && !warnSender) return null;
  return (
    <div className="email-inbound-details">
      <SenderWarning auth={meta.senderAuth} ccNotAdded={meta.ccNotAdded} />
      {problems.length > 0 && (
        <div className="email-warning" role="note" aria-label="Broken message part">
          <strong>Part of this email was damaged.</strong>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
          <span className="small">The original is in the .eml download.</span>
        </div>
      )}
      {forwarded.map((f, i) => (
        <ForwardedCard key={keyOf(f, i)} f={f} depth={1} />
      ))}
    </div>
  );
}
