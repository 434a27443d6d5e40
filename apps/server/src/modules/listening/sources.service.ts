import type { Deps } from '../../platform/deps.ts';
import { badRequest, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { keyRing } from '../../platform/security/keys.ts';
import * as repo from './listening.repository.ts';
import type { ListeningService } from './listening.service.ts';
import { LISTENING_ADAPTERS } from './sources/registry.ts';

export interface SourceInput {
  kind?: string;
  name?: string;
  enabled?: boolean;
  settings?: Record<string, unknown>;
  keywords?: string[];
  secrets?: Record<string, string>;
}

/** Settings → Listening: the sources, their keywords and credentials, their cursor and last error. */
export function createSourcesService(deps: Deps, svc: ListeningService) {
  const { db, config } = deps;
  const keys = keyRing(config);

  const toSource = (s: repo.SourceRow) => {
    const a = LISTENING_ADAPTERS[s.kind];
    return {
      id: s.id,
      kind: s.kind,
      label: a?.label ?? s.kind,
      name: s.name,
      enabled: s.enabled,
      settings: s.settings,
      keywords: s.keywords,
      hasSecrets: !!s.secrets_enc,
      canReply: !!a?.canReply,
      cursor: s.cursor,
      lastPolledAt: s.last_polled_at?.toISOString() ?? null,
      lastError: s.last_error,
      lastErrorAt: s.last_error_at?.toISOString() ?? null,
      pausedUntil: s.paused_until?.toISOString() ?? null,
    };
  };

  const checked = (kind: string, input: SourceInput) => {
    const a = LISTENING_ADAPTERS[kind];
    if (!a) throw badRequest(`Unknown source kind ${kind}`);
    const settings = input.settings === undefined ? undefined : a.settings.safeParse(input.settings);
    if (settings && !settings.success)
      throw badRequest(
        `Settings for ${a.label}: ${settings.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      );
    let secretsEnc: string | undefined;
    if (input.secrets !== undefined) {
      if (!a.secrets) throw badRequest(`${a.label} takes no credentials`);
      const sec = a.secrets.safeParse(input.secrets);
      if (!sec.success) throw badRequest(`Credentials for ${a.label} are incomplete`);
      secretsEnc = keys.encrypt(JSON.stringify(sec.data));
    }
    const keywords = input.keywords?.map((k) => k.trim()).filter(Boolean);
    return { settings: settings?.data, secretsEnc, keywords };
  };

  return {
    kinds: () =>
      Object.values(LISTENING_ADAPTERS).map((a) => ({
        kind: a.kind,
        label: a.label,
        canReply: a.canReply,
        needsSecrets: !!a.secrets,
      })),
    async list(auth: Auth) {
      return { items: (await repo.listSources(db, auth.workspaceId)).map(toSource) };
    },
    async create(auth: Auth, input: SourceInput & { kind: string; name: string }) {
      const c = checked(input.kind, { ...input, settings: input.settings ?? {} });
      const s = await repo.insertSource(db, {
        workspaceId: auth.workspaceId,
        kind: input.kind,
        name: input.name,
        enabled: input.enabled ?? false,
        settings: c.settings ?? {},
        keywords: c.keywords ?? [],
        secretsEnc: c.secretsEnc ?? null,
      });
      if (s.enabled) await svc.schedule(s, new Date());
      return toSource(s);
    },
    async update(auth: Auth, id: number, input: SourceInput) {
      const cur = await repo.findSource(db, auth.workspaceId, id);
      if (!cur) throw notFound('Source');
      const c = checked(cur.kind, input);
      const s = await repo.updateSource(db, auth.workspaceId, id, {
        name: input.name,
        enabled: input.enabled,
        settings: c.settings,
        keywords: c.keywords,
        secretsEnc: c.secretsEnc,
      });
      if (!s) throw notFound('Source');
      if (s.enabled) await svc.schedule(s, new Date());
      return toSource(s);
    },
    async remove(auth: Auth, id: number) {
      if (!(await repo.deleteSource(db, auth.workspaceId, id))) throw notFound('Source');
    },
  };
}
