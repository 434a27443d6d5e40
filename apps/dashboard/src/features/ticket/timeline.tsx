import { Suspense } from 'react';
import { messageExtras, timelineEvents } from '../../extensions/index.ts';
import type { MessageT, TicketDetailT } from '../../lib/api.ts';
import { Avatar } from '../../shell/layout.tsx';
import { bytes, dateTime } from '../../ui/format.ts';
import { eventText } from './event-text.ts';
import { PlainBody, SafeHtml } from './safe-html.tsx';

type Item = { at: string; key: string; message?: MessageT; event?: TicketDetailT['events'][number] };

export function Timeline({
  ticket,
  agentName,
  teamName,
  agentAvatar,
}: {
  ticket: TicketDetailT;
  agentName: (id: number | null) => string | null;
  teamName: (id: number | null) => string | null;
  agentAvatar?: (id: number | null) => string | null;
}) {
  const items: Item[] = [
    ...ticket.messages.map((m) => ({ at: m.createdAt, key: `m${m.id}`, message: m })),
    // Message-like events are already visible as messages; everything else is a line in the timeline.
    ...ticket.events
      .filter((e) => !['message.created', 'message.received', 'created'].includes(e.type))
      .map((e) => ({ at: e.createdAt, key: `e${e.id}`, event: e })),
  ].sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
  return (
    <ol className="timeline" aria-label="Conversation">
      {items.map((it) =>
        it.message ? (
          <MessageItem
            key={it.key}
            m={it.message}
            ticket={ticket}
            avatarUrl={it.message.author.type === 'agent' ? agentAvatar?.(it.message.author.id) : null}
          />
        ) : (
          <EventLine key={it.key} e={it.event!} ticket={ticket} agentName={agentName} teamName={teamName} />
        ),
      )}
    </ol>
  );
}

function MessageItem({
  m,
  ticket,
  avatarUrl,
}: {
  m: MessageT;
  ticket: TicketDetailT;
  avatarUrl?: string | null;
}) {
  const who = m.author.name ?? (m.author.type === 'contact' ? 'Customer' : 'System');
  const label = m.kind === 'note' ? 'Internal note' : m.kind === 'inbound' ? 'Customer message' : 'Reply';
  return (
    <li className={`msg msg-${m.kind}`} data-message-id={m.id} aria-label={`${label} from ${who}`}>
      <header>
        <Avatar name={who} size={26} url={avatarUrl} />
        <strong>{who}</strong>
        <span className="kind">
          {m.kind === 'note'
            ? 'Internal note'
            : m.kind === 'inbound'
              ? `via ${m.channel}`
              : `replied via ${m.channel}`}
        </span>
        <span className="spacer" />
        {m.kind === 'outbound' && m.deliveryStatus !== 'sent' && (
          <span className={`delivery delivery-${m.deliveryStatus}`} title={m.deliveryError ?? undefined}>
            {m.deliveryStatus}
          </span>
        )}
        <time dateTime={m.createdAt}>{dateTime(m.createdAt)}</time>
      </header>
      {m.bodyHtml ? (
        <SafeHtml html={m.bodyHtml} title={`Message from ${who}`} />
      ) : (
        <PlainBody text={m.bodyText} />
      )}
      {m.attachments.length > 0 && (
        <ul className="attachments" aria-label="Attachments">
          {m.attachments
            .filter((a) => !a.inline || !a.contentType.startsWith('image/'))
            .concat(m.attachments.filter((a) => a.inline && a.contentType.startsWith('image/')))
            .map((a) => (
              <li key={a.id}>
                {a.contentType.startsWith('audio/') && (
                  // A voicemail plays in place (docs/sms-voice.md); the link below still downloads it.
                  // biome-ignore lint/a11y/useMediaCaption: its transcript is the note Twilio's transcription adds to the ticket
                  <audio controls preload="none" src={a.url} aria-label={`Play ${a.filename}`} />
                )}
                <a href={a.url} target="_blank" rel="noopener noreferrer" download={a.filename}>
                  {a.contentType.startsWith('image/') ? (
                    <img src={a.url} alt={a.filename} loading="lazy" />
                  ) : (
                    <span className="file-icon" aria-hidden="true">
                      {a.filename.split('.').pop()?.toUpperCase().slice(0, 4) ?? 'FILE'}
                    </span>
                  )}
                  <span>
                    {a.filename} <span className="muted small">{bytes(a.sizeBytes)}</span>
                  </span>
                </a>
              </li>
            ))}
        </ul>
      )}
      {messageExtras.list().map((x) => (
        <Suspense key={x.id} fallback={null}>
          <x.component message={m} ticket={ticket} />
        </Suspense>
      ))}
    </li>
  );
}

function EventLine({
  e,
  ticket,
  agentName,
  teamName,
}: {
  e: TicketDetailT['events'][number];
  ticket: TicketDetailT;
  agentName: (id: number | null) => string | null;
  teamName: (id: number | null) => string | null;
}) {
  const custom = timelineEvents.get(e.type);
  if (custom) return <li className="event">{<custom.component event={e} ticket={ticket} />}</li>;
  const text = eventText(e, { agentName, teamName });
  return (
    <li className="event">
      <span>{text}</span> <time dateTime={e.createdAt}>{dateTime(e.createdAt)}</time>
    </li>
  );
}
