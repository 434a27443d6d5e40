import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CustomerSectionProps } from '../../extensions/index.ts';
import { ApiError, api } from '../../lib/api.ts';

export default function ProfileSection({ contact: c }: CustomerSectionProps) {
  const qc = useQueryClient();
  const [notes, setNotes] = useState(c.notes);
  const [msg, setMsg] = useState<string | null>(null);
  const emails = c.identities.filter((i) => i.kind === 'email').map((i) => i.value);
  const phones = c.identities.filter((i) => i.kind === 'phone' || i.kind === 'whatsapp').map((i) => i.value);
  const social = c.identities.filter((i) => !['email', 'phone'].includes(i.kind));
  const save = async () => {
    try {
      await api.contacts.update(c.id, { notes });
      setMsg('Notes saved');
      await qc.invalidateQueries({ queryKey: ['contact', c.id] });
    } catch (e) {
      setMsg(e instanceof ApiError ? e.message : 'Could not save');
    }
  };
  return (
    <div className="profile">
      <strong className="contact-name">{c.name ?? c.email ?? 'Unknown'}</strong>
      <dl>
        {(emails.length ? emails : c.email ? [c.email] : []).map((e) => (
          <div key={e}>
            <dt>Email</dt>
            <dd>
              <a href={`mailto:${e}`}>{e}</a>
            </dd>
          </div>
        ))}
        {(phones.length ? phones : c.phone ? [c.phone] : []).map((p) => (
          <div key={p}>
            <dt>Phone</dt>
            <dd>{p}</dd>
          </div>
        ))}
        {social.map((s) => (
          <div key={s.kind + s.value}>
            <dt>{s.kind}</dt>
            <dd>{s.value}</dd>
          </div>
        ))}
        {c.ticketCount !== undefined && (
          <div>
            <dt>Tickets</dt>
            <dd>{c.ticketCount}</dd>
          </div>
        )}
      </dl>
      {c.tags.length > 0 && (
        <p>
          {c.tags.map((t) => (
            <span key={t} className="tag">
              {t}
            </span>
          ))}
        </p>
      )}
      <label>
        Notes about this customer
        <textarea
          rows={3}
          value={notes}
          onChange={(e) => setNotes(e.target.value)}
          onBlur={() => notes !== c.notes && void save()}
        />
      </label>
      {msg && <p className="small muted">{msg}</p>}
    </div>
  );
}
