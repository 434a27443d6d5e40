import type { Deps } from '../../platform/deps.ts';
import { liveSessionIds } from '../agents/index.ts';
import * as repo from './routing.repository.ts';
import type { RoutingService } from './routing.service.ts';

/** What the tracker needs of a realtime socket. */
export interface TrackedSocket {
  on(event: 'close', fn: () => void): unknown;
  close(code?: number, reason?: string): void;
}

type Local = { workspaceId: number; sockets: Map<TrackedSocket, string | undefined> };

/**
 * Presence that follows the agent: a status someone chose is only honoured while the agent has a live
 * dashboard socket somewhere. Each node records its sockets per agent in `agent_connections` and refreshes
 * them every heartbeat; any node's heartbeat then claims the agents with no socket touched within the grace
 * period (a closed tab, a dead node, an ended session) and hands their live chats back to the queue. A
 * socket connecting again brings back the status they chose.
 */
export function createPresenceTracker(
  deps: Deps,
  routing: RoutingService,
  o: { graceMs: number; heartbeatMs: number },
) {
  const { db, log, bus } = deps;
  const local = new Map<number, Local>();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  let stopped = false;
  let ticks = 0;

  const save = (agentId: number, workspaceId: number) =>
    repo.saveConnections(db, bus.nodeId, [
      { agentId, workspaceId, sockets: local.get(agentId)?.sockets.size ?? 0 },
    ]);

  async function tick() {
    const alive = [...local.entries()].filter(([, l]) => l.sockets.size > 0);
    await repo.saveConnections(
      db,
      bus.nodeId,
      alive.map(([agentId, l]) => ({ agentId, workspaceId: l.workspaceId, sockets: l.sockets.size })),
    );
    // A socket outlives its session (sign-out elsewhere, expiry): close it, so presence lapses too.
    const sessions = [...new Set(alive.flatMap(([, l]) => [...l.sockets.values()].filter((x) => !!x)))];
    if (sessions.length) {
      const live = new Set(await liveSessionIds(db, sessions as string[]));
      for (const [, l] of alive)
        for (const [ws, sid] of l.sockets) if (sid && !live.has(sid)) ws.close(4401, 'session ended');
    }
    for (const r of await repo.claimLapsed(db, o.graceMs)) {
      try {
        await routing.lapsed(r.workspace_id, r.agent_id);
      } catch (err) {
        log.warn({ err, agentId: r.agent_id }, 'presence lapse re-routing failed');
      }
    }
    if (++ticks % 100 === 0) await repo.pruneConnections(db);
  }

  return {
    /** A socket of an authenticated agent opened on this node. */
    async track(ws: TrackedSocket, who: { workspaceId: number; agentId: number; sessionId?: string }) {
      let l = local.get(who.agentId);
      if (!l) {
        l = { workspaceId: who.workspaceId, sockets: new Map() };
        local.set(who.agentId, l);
      }
      l.sockets.set(ws, who.sessionId);
      ws.on('close', () => {
        const mine = local.get(who.agentId);
        if (!mine?.sockets.delete(ws) || stopped) return;
        if (!mine.sockets.size) local.delete(who.agentId);
        // Seen now with fewer sockets: the grace period counts from the last one closing.
        void save(who.agentId, who.workspaceId).catch((err) => log.warn({ err }, 'presence save failed'));
      });
      try {
        await save(who.agentId, who.workspaceId);
        const back = await repo.clearLapse(db, who.agentId);
        if (back) await routing.returned(back.workspace_id, who.agentId, back.status);
      } catch (err) {
        log.warn({ err, agentId: who.agentId }, 'presence connect failed');
      }
    },

    start() {
      timer = setInterval(() => {
        if (ticking) return; // a slow database: skip a beat rather than pile up
        ticking = tick()
          .catch((err) => log.warn({ err }, 'presence heartbeat failed'))
          .finally(() => {
            ticking = undefined;
          });
      }, o.heartbeatMs);
      timer.unref();
    },

    /** Before the database closes: no more writes (rows left behind lapse by age, like a dead node's). */
    async stop() {
      stopped = true;
      clearInterval(timer);
      await ticking;
    },
  };
}

export type PresenceTracker = ReturnType<typeof createPresenceTracker>;
