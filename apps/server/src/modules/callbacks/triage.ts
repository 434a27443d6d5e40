import type { Macro, Order, TicketDetail, VoiceTriage } from '@shopdesk/contracts';
import type { Auth } from '../../platform/http/router.ts';

/*
 * Voicemail triage (docs/sms-voice.md): on a voice ticket, the caller's order and its parcels, the intent
 * the bot's classifier reads in the transcript, and the macro that answers such a call. Everything comes
 * through other modules' index.ts (ports wired in app.ts); nothing here reads their tables.
 */

export interface TriagePorts {
  ticket(auth: Auth, id: number): Promise<TicketDetail>;
  /** modules/commerce: the order named in the conversation, else the customer's latest. */
  conversationOrder(auth: Auth, ticketId: number): Promise<Order | null>;
  /** modules/tracking: the order's parcels and any delay. */
  orderDelivery(
    workspaceId: number,
    orderId: number,
  ): Promise<Pick<VoiceTriage, 'shipments' | 'delay'> | null>;
  /** modules/bot's classifier. */
  classify(text: string): {
    intent: string;
    confidence: number;
    damage: boolean;
    angry: boolean;
    orderNumber: string | null;
  };
  macros(auth: Auth): Promise<Macro[]>;
}

/** The transcript note the channel wrote (`Voicemail transcript:` + text), the latest one. */
export const TRANSCRIPT_PREFIX = 'Voicemail transcript:';
export function transcriptOf(t: TicketDetail): string | null {
  const note = t.messages.findLast((m) => m.kind === 'note' && m.bodyText.startsWith(TRANSCRIPT_PREFIX));
  return note ? note.bodyText.slice(TRANSCRIPT_PREFIX.length).trim() || null : null;
}

/**
 * Words in a macro's name that fit each intent. A shop names its macros its own way; these cover the
 * usual names ("Where is my order", "Damaged item – replacement", "Return label" …).
 */
const MACRO_WORDS: Record<string, string[]> = {
  order_status: ['where is', 'order status', 'tracking', 'shipping', 'delivery', 'shipped'],
  return_request: ['return', 'refund', 'exchange'],
  cancel_request: ['cancel'],
  change_order: ['change', 'address', 'modify'],
  complaint: ['sorry', 'apolog', 'complaint', 'damaged', 'replacement'],
  product_question: ['product', 'size', 'stock', 'question'],
};
const DAMAGE_WORDS = ['damaged', 'broken', 'replacement', 'defect'];

/** The most used macro whose name fits the intent (damage first when the caller reports it). */
export function suggestMacro(
  macros: Macro[],
  intent: { intent: string; damage: boolean } | null,
): VoiceTriage['macro'] {
  if (!intent) return null;
  const tries: [string[], string][] = [];
  if (intent.damage) tries.push([DAMAGE_WORDS, 'the caller reports a damaged item']);
  const words = MACRO_WORDS[intent.intent];
  if (words) tries.push([words, `intent ${intent.intent.replace('_', ' ')}`]);
  const byUse = [...macros].sort((a, b) => b.usageCount - a.usageCount || a.id - b.id);
  for (const [list, why] of tries) {
    const m = byUse.find((x) => list.some((w) => x.name.toLowerCase().includes(w)));
    if (m) return { id: m.id, name: m.name, why };
  }
  return null;
}

export async function voiceTriage(ports: TriagePorts, auth: Auth, ticketId: number): Promise<VoiceTriage> {
  const ticket = await ports.ticket(auth, ticketId);
  const transcript = transcriptOf(ticket);
  const c = transcript ? ports.classify(transcript) : null;
  const order = await ports.conversationOrder(auth, ticket.id).catch(() => null);
  const delivery = order ? await ports.orderDelivery(auth.workspaceId, order.id) : null;
  return {
    transcript,
    intent: c
      ? {
          name: c.intent,
          confidence: Math.round(c.confidence * 100) / 100,
          damage: c.damage,
          angry: c.angry,
          orderNumber: c.orderNumber,
        }
      : null,
    order: order
      ? {
          id: order.id,
          number: order.number,
          status: order.status,
          fulfillmentStatus: order.fulfillmentStatus,
          total: order.total,
          currency: order.currency,
          placedAt: order.placedAt,
          items: order.lineItems.map((l) => `${l.quantity} × ${l.title}`).join(', '),
        }
      : null,
    shipments: delivery?.shipments ?? [],
    delay: delivery?.delay ?? null,
    macro: suggestMacro(await ports.macros(auth), c),
  };
}
