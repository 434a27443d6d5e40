import {
  AgentCallPhone,
  CallbackCall,
  CallbackTask,
  CompleteCallback,
  CreateCallback,
  ListCallbacksQuery,
  VoiceTriage,
} from '@shopdesk/contracts';
import { z } from 'zod';
import { IdParams, type Router } from '../../platform/http/router.ts';
import type { CallbacksService } from './callbacks.service.ts';
import { type TriagePorts, voiceTriage } from './triage.ts';

export function registerCallbackRoutes(r: Router, svc: CallbacksService, triage: TriagePorts) {
  r.add({
    method: 'GET',
    url: '/api/v1/tickets/:id/voice-triage',
    summary: 'Voicemail triage: the caller’s order and parcels, the transcript’s intent, a suggested macro',
    tag: 'Callbacks',
    access: 'read-only',
    params: IdParams,
    response: VoiceTriage,
    handler: async ({ auth, params }) => voiceTriage(triage, auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/callbacks',
    summary: 'Callback tasks: the ones due (soonest first), overdue, done, or one ticket’s',
    tag: 'Callbacks',
    access: 'read-only',
    query: ListCallbacksQuery,
    response: z.object({ items: z.array(CallbackTask) }),
    handler: async ({ auth, query }) => ({ items: await svc.list(auth, query) }),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/tickets/:id/callbacks',
    summary: 'Promise the customer a call back (due in business hours unless a time is given)',
    tag: 'Callbacks',
    access: 'agent',
    params: IdParams,
    body: CreateCallback,
    response: CallbackTask,
    status: 201,
    handler: async ({ auth, params, body }) => svc.create(auth, params.id, body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/callbacks/:id/complete',
    summary: 'Close a callback with its outcome and a note (logged on the ticket)',
    tag: 'Callbacks',
    access: 'agent',
    params: IdParams,
    body: CompleteCallback,
    response: CallbackTask,
    handler: async ({ auth, params, body }) => svc.complete(auth, params.id, body),
  });
  r.add({
    method: 'POST',
    url: '/api/v1/callbacks/:id/call',
    summary: 'Call the customer back: Twilio rings your phone, then connects you to the customer',
    tag: 'Callbacks',
    access: 'agent',
    params: IdParams,
    body: z.object({}).strict().optional(),
    response: CallbackCall,
    status: 201,
    handler: async ({ auth, params }) => svc.call(auth, params.id),
  });
  r.add({
    method: 'GET',
    url: '/api/v1/callbacks/my-phone',
    summary: 'The phone number click-to-call rings for you',
    tag: 'Callbacks',
    access: 'agent',
    response: AgentCallPhone,
    handler: async ({ auth }) => ({ phone: await svc.myPhone(auth) }),
  });
  r.add({
    method: 'PUT',
    url: '/api/v1/callbacks/my-phone',
    summary: 'Set (or clear with null) the phone number click-to-call rings for you',
    tag: 'Callbacks',
    access: 'agent',
    body: AgentCallPhone,
    response: AgentCallPhone,
    handler: async ({ auth, body }) => {
      await svc.setMyPhone(auth, body.phone);
      return { phone: body.phone };
    },
  });
}
