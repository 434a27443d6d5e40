import type { WebhookRequest } from '../../channels/inbound.ts';

/**
 * One source of inbound deliveries: a messaging channel (built for you from its ChannelAdapter's
 * `inbound` side), or anything else a provider pushes — carrier tracking, listening sources. Register it
 * with `intake.register(source)`; its webhook is then `POST /api/v1/intake/<name>/<key>/<kind>`.
 */
export interface IntakeSource {
  /** URL segment and `inbound_events.channel` of its deliveries. */
  readonly name: string;
  /**
   * Resolves the key in the URL to a workspace, checks the signature and names the delivery. Throw
   * WebhookRejected (channels/inbound.ts) to refuse it; null for a request with nothing to store (a ping).
   * Runs before anything is stored: no database writes here.
   */
  accept(req: HookRequest): Promise<AcceptedDelivery | null>;
  /** The 2xx body, after the commit; `{ accepted, duplicate }` as JSON when absent or undefined. */
  respond?(
    req: HookRequest,
    accepted: AcceptedDelivery,
  ): Promise<{ contentType: string; body: string } | undefined>;
  /**
   * Job: does whatever the delivery means (normalise, thread, emit). Must be safe to run twice: a crash
   * after the work and before the event is marked processed runs it again. A throw retries the job with
   * backoff; `final` says this is the last attempt (report the error where an admin sees it).
   */
  process(event: IntakeEvent, ctx: { final: boolean }): Promise<void>;
}

/** A webhook as a source sees it: the key and kind from the URL, the path as called, the raw body. */
export type HookRequest = WebhookRequest & { key: string; path: string };

export interface AcceptedDelivery {
  workspaceId: number;
  /** Unique per source and workspace: replays are acknowledged and not stored again. */
  providerId: string;
  /** Kept beside the payload (JSON): what `process` needs besides the body (account id, kind, URL). */
  headers?: Record<string, unknown>;
}

/** A stored delivery as `process` gets it. */
export interface IntakeEvent {
  id: number;
  workspaceId: number;
  source: string;
  providerId: string;
  headers: Record<string, unknown>;
  payload: Buffer;
  receivedAt: Date;
}
