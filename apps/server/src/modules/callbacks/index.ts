import type { Deps } from '../../platform/deps.ts';
import type { Router } from '../../platform/http/router.ts';
import type { IntakeService } from '../intake/index.ts';
import { registerCallbackRoutes } from './callbacks.routes.ts';
import {
  type CallbackPorts,
  type CallbacksService,
  type CallStatusReport,
  createCallbacksService,
} from './callbacks.service.ts';
import type { TriagePorts } from './triage.ts';

export type { CallbackDialer, CallbacksService } from './callbacks.service.ts';
export type { TriagePorts } from './triage.ts';

/**
 * Callback tasks and click-to-call (docs/sms-voice.md): a voicemail or missed call (`message.received`
 * on a `voice` ticket) opens a task due inside business hours; click-to-call statuses arrive through the
 * intake as `call.status` events from the channel adapter.
 */
export function installCallbacks(
  o: {
    router: Router;
    deps: Deps;
    intake: Pick<IntakeService, 'handle'>;
    triage: Omit<TriagePorts, 'ticket'>;
  } & CallbackPorts,
): CallbacksService {
  const svc = createCallbacksService(o.deps, o);
  registerCallbackRoutes(o.router, svc, { ...o.triage, ticket: (auth, id) => o.tickets.get(auth, id) });
  o.deps.bus.on('message.received', async (e) => {
    if (e.data?.channel !== 'voice' || !e.ticketId || !e.messageId) return;
    await svc.openFromVoicemail(e.workspaceId, e.ticketId, e.messageId);
  });
  o.intake.handle('call.status', async (workspaceId, data, ctx) => {
    const leg = data.leg === 'customer' ? 'customer' : 'agent';
    const report: CallStatusReport = {
      callSid: String(data.callSid ?? ''),
      leg,
      status: String(data.status ?? ''),
      durationSeconds: typeof data.durationSeconds === 'number' ? data.durationSeconds : null,
    };
    await svc.recordCallStatus(workspaceId, report, ctx);
  });
  return svc;
}
