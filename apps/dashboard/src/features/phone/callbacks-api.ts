import type { AgentCallPhone, CallbackCall, CallbackTask, VoiceTriage } from '@shopdesk/contracts';
import type { z } from 'zod';
import { request } from '../../lib/api.ts';

export type CallbackTaskT = z.output<typeof CallbackTask>;
export type CallbackCallT = z.output<typeof CallbackCall>;
export type VoiceTriageT = z.output<typeof VoiceTriage>;

/** The callbacks endpoints (server: modules/callbacks). */
export const callbacksApi = {
  list: (q: string) => request<{ items: CallbackTaskT[] }>('GET', `/api/v1/callbacks?${q}`),
  create: (ticketId: number, body: { note?: string }) =>
    request<CallbackTaskT>('POST', `/api/v1/tickets/${ticketId}/callbacks`, body),
  complete: (id: number, body: { outcome: string; note: string }) =>
    request<CallbackTaskT>('POST', `/api/v1/callbacks/${id}/complete`, body),
  call: (id: number) => request<CallbackCallT>('POST', `/api/v1/callbacks/${id}/call`, {}),
  myPhone: () => request<z.output<typeof AgentCallPhone>>('GET', '/api/v1/callbacks/my-phone'),
  setMyPhone: (phone: string | null) =>
    request<z.output<typeof AgentCallPhone>>('PUT', '/api/v1/callbacks/my-phone', { phone }),
  triage: (ticketId: number) => request<VoiceTriageT>('GET', `/api/v1/tickets/${ticketId}/voice-triage`),
};

export const OUTCOMES = [
  ['answered', 'Answered'],
  ['no-answer', 'No answer'],
  ['busy', 'Busy'],
  ['failed', 'Failed'],
] as const;
export const outcomeWords: Record<string, string> = {
  answered: 'answered',
  'no-answer': 'no answer',
  busy: 'busy',
  failed: 'failed',
  'agent-missed': 'your phone did not answer',
};
export const reasonWords: Record<string, string> = {
  voicemail: 'Voicemail',
  'missed-call': 'Missed call',
  manual: 'Promised call back',
};
