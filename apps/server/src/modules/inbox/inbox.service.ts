import type { Deps } from '../../platform/deps.ts';
import type { Auth } from '../../platform/http/router.ts';
import { inboxCounts } from './inbox.repository.ts';

export function createInboxService(deps: Deps) {
  return {
    async counts(auth: Auth) {
      const { totals, groups } = await inboxCounts(deps.db, auth.workspaceId, auth.agentId);
      const byChannel: Record<string, number> = {};
      const byTeam: Record<string, number> = {};
      for (const g of groups) {
        byChannel[g.channel] = (byChannel[g.channel] ?? 0) + g.n;
        if (g.team_id !== null) byTeam[String(g.team_id)] = (byTeam[String(g.team_id)] ?? 0) + g.n;
      }
      return {
        myOpen: totals.my_open,
        unassigned: totals.unassigned,
        allOpen: totals.all_open,
        pending: totals.pending,
        onHold: totals.on_hold,
        solved: totals.solved,
        byChannel,
        byTeam,
      };
    },
  };
}
export type InboxService = ReturnType<typeof createInboxService>;
