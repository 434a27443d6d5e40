import type {
  VisitorClientFrame,
  VisitorMessageAck,
  WidgetConversation,
  WidgetMessage,
} from '@shopdesk/contracts';

/** One authenticated visitor socket. */
export interface VisitorContext {
  workspaceId: number;
  visitorKey: string;
  ip: string;
  userAgent: string | null;
}

/** Where an agent reply for a chat ticket goes. */
export interface DeliveryTarget {
  visitorKey: string;
  email: string | null;
  online: boolean;
  fallbackAfterSeconds: number;
  conversation: WidgetConversation;
}

/**
 * What the chat channel needs from the chat module (which owns settings, visitors and conversations).
 * The module implements it; app wiring hands it to the adapter, so channels/ never imports modules/.
 */
export interface ChatBackend {
  /** Verifies workspace, page origin and token; throws a coded AppError when any is wrong. */
  authenticateSocket(
    slug: string,
    token: string,
    meta: { origin: string | null; host: string | undefined; ip: string; userAgent: string | null },
  ): Promise<{ ctx: VisitorContext; conversation: WidgetConversation | null; ticketIds: number[] }>;
  acceptMessage(
    ctx: VisitorContext,
    frame: Extract<VisitorClientFrame, { type: 'message' }>,
  ): Promise<VisitorMessageAck>;
  visitorTyping(ctx: VisitorContext, typing: boolean): Promise<void>;
  visitorRead(ctx: VisitorContext, upTo: number): Promise<void>;
  visitorPage(ctx: VisitorContext, url: string, title: string | undefined): Promise<void>;
  /** The page switched the widget's language (Shopdesk.setLocale). */
  visitorLocale(ctx: VisitorContext, locale: string): Promise<void>;
  /** Socket heartbeat (online=true) or the visitor's last socket on this node closed (false). */
  heartbeat(ctx: VisitorContext, online: boolean): Promise<void>;
  /** An agent opened the ticket: returns the highest visitor message they have now seen. */
  agentViewed(workspaceId: number, ticketId: number): Promise<number>;
  deliveryTarget(workspaceId: number, ticketId: number): Promise<DeliveryTarget | null>;
  widgetMessage(workspaceId: number, messageId: number): Promise<WidgetMessage | null>;
  visitorHasRead(workspaceId: number, ticketId: number, messageId: number): Promise<boolean>;
  /** Ledger of e-mailed replies; `sent` rows make the fallback job idempotent. */
  emailFallbackSent(workspaceId: number, messageId: number): Promise<boolean>;
  recordEmailFallback(
    workspaceId: number,
    messageId: number,
    email: string,
    status: 'sent' | 'skipped' | 'unavailable',
    detail: string | null,
  ): Promise<void>;
}
