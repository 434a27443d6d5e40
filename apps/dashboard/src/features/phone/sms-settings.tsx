import type { ChannelAccountView } from '@shopdesk/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { useAction } from '../settings/use-action.tsx';

const accounts = () => api.get<{ items: ChannelAccountView[] }>('/api/v1/channels/sms/accounts');

/** Connect a Twilio number: texts, voicemail and call-backs (docs/sms-voice.md). */
export default function SmsSettings() {
  const q = useQuery({ queryKey: ['channel-accounts', 'sms'], queryFn: accounts });
  const { run, view } = useAction(['channel-accounts', 'sms']);
  const empty = { name: '', accountSid: '', phoneNumber: '', authToken: '', voice: true, within: '240' };
  const [f, setF] = useState(empty);
  const set = (k: keyof typeof empty, v: string | boolean) => setF((x) => ({ ...x, [k]: v }));
  const connect = () =>
    run(async () => {
      await api.post('/api/v1/channels/sms/accounts', {
        name: f.name.trim() || 'SMS',
        settings: {
          accountSid: f.accountSid.trim(),
          phoneNumber: f.phoneNumber.trim(),
          voice: { enabled: f.voice, callbackWithinMinutes: Number(f.within) || 240 },
        },
        secrets: { authToken: f.authToken },
      });
      setF(empty);
    }, "Twilio number connected: paste the webhook URLs into the number's settings in Twilio");
  return (
    <div className="stack">
      <h2>SMS and voice</h2>
      <p className="muted">
        Texts and voicemails from your Twilio number land in the inbox; voicemails open a callback task due
        inside business hours. The Auth Token is encrypted and never shown again.
      </p>
      {view}
      {(q.data?.items ?? []).map((a) => (
        <section key={a.id} className="card stack" aria-label={`SMS account ${a.name}`}>
          <h3>
            {a.name} <span className="muted small">{a.address}</span>
          </h3>
          <p className="small">
            “A message comes in”: <code>{a.webhooks.sms}</code>
          </p>
          <p className="small">
            “A call comes in”: <code>{a.webhooks.voice}</code>
          </p>
          <p className="small muted">Secrets set: {a.secretsSet.join(', ') || 'none'}</p>
        </section>
      ))}
      <form
        className="card stack"
        aria-label="Connect a Twilio number"
        onSubmit={(e) => {
          e.preventDefault();
          void connect();
        }}
      >
        <h3>Connect a Twilio number</h3>
        <label>
          Name in the desk
          <input value={f.name} onChange={(e) => set('name', e.target.value)} placeholder="Support line" />
        </label>
        <label>
          Account SID
          <input required value={f.accountSid} onChange={(e) => set('accountSid', e.target.value)} />
        </label>
        <label>
          Auth Token
          <input
            type="password"
            autoComplete="off"
            required
            value={f.authToken}
            onChange={(e) => set('authToken', e.target.value)}
          />
        </label>
        <label>
          Twilio phone number
          <input
            required
            value={f.phoneNumber}
            placeholder="+14155550100"
            onChange={(e) => set('phoneNumber', e.target.value)}
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={f.voice} onChange={(e) => set('voice', e.target.checked)} /> Take
          calls: greeting by business hours, then voicemail
        </label>
        <label>
          Call back within (business-hours minutes)
          <input type="number" min={5} value={f.within} onChange={(e) => set('within', e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Connect Twilio number
        </button>
      </form>
    </div>
  );
}
