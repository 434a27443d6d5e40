import type { Db } from '../../platform/db/db.ts';
import * as repo from './bot.repository.ts';

/**
 * The bot's figures for the analytics registry (summary metrics over the report's days), computed
 * from the bot's own conversations: analytics never reads bot_conversations itself.
 */
async function outcomes(db: Db, workspaceId: number, days: number) {
  const rows = await repo.containment(db, workspaceId, days);
  const of = (k: string) => rows.filter((r) => r.outcome === k).reduce((n, r) => n + r.n, 0);
  return { resolved: of('resolved'), handedOver: of('handed_over'), open: of('open') };
}

const pct = (a: number, b: number) => (b ? Math.round((1000 * a) / b) / 10 : null);

export const botAnalyticsSummaries = [
  {
    key: 'bot_containment',
    label: 'Bot containment',
    definition:
      'Of the bot conversations that finished (resolved by the bot or handed over to a person), the share the bot resolved without a handover. Conversations still open are not counted. Over the days from the report’s first day to today; not split by the report’s filters.',
    summary: async (db: Db, workspaceId: number, days: number) => {
      const o = await outcomes(db, workspaceId, days);
      return {
        value: pct(o.resolved, o.resolved + o.handedOver),
        n: o.resolved + o.handedOver,
        detail: `${o.resolved} resolved by the bot, ${o.handedOver} handed over, ${o.open} still open`,
      };
    },
  },
  {
    key: 'bot_handover_rate',
    label: 'Bot handover rate',
    definition:
      'Of the bot conversations that finished, the share handed over to a person (100 % minus containment). Over the days from the report’s first day to today.',
    summary: async (db: Db, workspaceId: number, days: number) => {
      const o = await outcomes(db, workspaceId, days);
      return {
        value: pct(o.handedOver, o.resolved + o.handedOver),
        n: o.resolved + o.handedOver,
        detail: `${o.handedOver} of ${o.resolved + o.handedOver} finished conversations handed over`,
      };
    },
  },
];
