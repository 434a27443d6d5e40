import { useQuery } from '@tanstack/react-query';
import { api } from '../lib/api.ts';

type Usable = { channel: string; label: string }[];

/** Until the server answers: the channels every workspace has. */
const FALLBACK: Usable = [
  { channel: 'email', label: 'Email' },
  { channel: 'chat', label: 'Chat' },
  { channel: 'web', label: 'Web form' },
  { channel: 'api', label: 'API' },
];

/**
 * The channels this workspace can use (`GET /api/v1/channels`): filters and settings offer only these,
 * not sms/voice/messenger/… before a connector for them exists.
 */
export function useChannels() {
  const q = useQuery({
    queryKey: ['channels'],
    queryFn: () => api.get<{ items: Usable }>('/api/v1/channels'),
    staleTime: 5 * 60_000,
  });
  const items = q.data?.items ?? FALLBACK;
  return {
    items,
    names: items.map((c) => c.channel),
    label: (c: string) => items.find((x) => x.channel === c)?.label ?? c,
  };
}
