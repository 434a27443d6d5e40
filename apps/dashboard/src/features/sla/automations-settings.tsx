import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useAction } from '../settings/use-action.tsx';
import { JsonEditor } from './json-editor.tsx';
import { slaApi } from './sla-api.ts';

const example = {
  name: 'Remind after 3 business days pending',
  kind: 'scheduled',
  conditions: {
    all: [
      { field: 'status', op: 'is', value: 'pending' },
      { field: 'businessHoursInStatus', op: 'gte', value: 24 },
    ],
    any: [],
  },
  actions: [{ type: 'reply', body: 'Hi {{contact.name}}, do you still need help with #{{ticket.id}}?' }],
};

export default function AutomationsSettings() {
  const list = useQuery({ queryKey: ['automations'], queryFn: slaApi.automations });
  const { run, view } = useAction(['automations']);
  const [preview, setPreview] = useState<string | null>(null);
  return (
    <div className="stack">
      <h2>Automations</h2>
      {view}
      <table className="grid">
        <thead>
          <tr>
            <th>Name</th>
            <th>Runs on</th>
            <th>Actions</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((a) => (
            <tr key={a.id}>
              <td>
                {a.name}
                {a.active ? '' : ' (off)'}
              </td>
              <td>{a.kind === 'scheduled' ? 'every hour' : a.events.join(', ')}</td>
              <td>{a.actions.map((x) => x.type).join(', ')}</td>
              <td>
                <button
                  type="button"
                  className="danger"
                  onClick={() => void run(() => slaApi.deleteAutomation(a.id), `${a.name} deleted`)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <JsonEditor
        label="New automation (trigger or scheduled)"
        initial={example}
        submitLabel="Add automation"
        onSubmit={(v) => run(() => slaApi.createAutomation(v), 'Automation added')}
        extra={{
          label: 'Test run',
          onClick: (v) =>
            void slaApi
              .preview(v)
              .then((r) =>
                setPreview(
                  `${r.matches.length} of ${r.scanned} open tickets match now${r.matches.length ? `: ${r.matches.map((m) => `#${m.ticketId} ${m.subject}`).join(', ')}` : ''}`,
                ),
              )
              .catch((e: Error) => setPreview(e.message)),
        }}
      />
      {preview && <p role="status">{preview}</p>}
    </div>
  );
}
