import type { CreateEmailInbox, EmailInbox, UpdateEmailInbox } from '@shopdesk/contracts';
import { AppError, conflict, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import {
  OutboundRefusedError,
  resolveTarget,
  UnresolvedHostError,
} from '../../platform/net/outbound-guard.ts';
import { randomToken, sha256 } from '../../platform/security/crypto.ts';
import { recordAudit } from '../audit/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import * as repo from './email.repository.ts';
import type { EmailContext } from './email-context.ts';

/** Inboxes as the admin sets them up: addresses, relay and IMAP (checked hosts, sealed passwords), secrets. */
export function createInboxSettingsService(c: EmailContext) {
  const { db, config, keys, serverRelay, pinnedAddressOf, changed } = c;

  /** Refuses a relay or IMAP host the server may not connect to, naming the field for the form. */
  async function checkMailHosts(workspaceId: number, input: UpdateEmailInbox) {
    for (const [field, host] of [
      ['smtp', input.smtp?.host],
      ['imap', input.imap?.host],
    ] as const) {
      if (!host) continue;
      try {
        await resolveTarget(host, await outboundPolicyOf(db, config, workspaceId));
      } catch (err) {
        // Not in DNS (yet) may be saved; the connection is checked again when it is made.
        if (err instanceof UnresolvedHostError || !(err instanceof OutboundRefusedError)) {
          if (err instanceof UnresolvedHostError) continue;
          throw err;
        }
        throw new AppError('validation_failed', `${field.toUpperCase()} host refused: ${err.message}`, [
          { path: `body.${field}.host`, message: err.message },
        ]);
      }
    }
  }

  function toInbox(r: repo.InboxRow): EmailInbox {
    return {
      id: r.id,
      name: r.name,
      address: r.address,
      aliases: r.aliases,
      fromName: r.from_name,
      signature: r.signature,
      active: r.active,
      autoAck: {
        enabled: r.auto_ack_enabled,
        subject: r.auto_ack_subject,
        body: r.auto_ack_body,
        expectedResponseFallback: r.expected_response_fallback,
      },
      smtp: r.smtp
        ? {
            host: r.smtp.host,
            port: r.smtp.port,
            secure: r.smtp.secure,
            user: r.smtp.user,
            hasPassword: !!r.smtp.passEnc,
          }
        : null,
      imap: r.imap
        ? {
            host: r.imap.host,
            port: r.imap.port,
            secure: r.imap.secure,
            user: r.imap.user,
            folder: r.imap.folder,
            after: r.imap.after,
            moveTo: r.imap.moveTo,
            lastUid: r.imap_last_uid,
            lastError: r.imap_last_error,
            lastPolledAt: r.imap_last_polled_at?.toISOString() ?? null,
          }
        : null,
      acceptInvalidCertificates: r.accept_invalid_certs,
      relayLastError: r.relay_last_error
        ? { message: r.relay_last_error, at: (r.relay_last_error_at ?? r.updated_at).toISOString() }
        : null,
      outbound: r.smtp ? 'inbox-relay' : serverRelay ? 'server-relay' : 'dev-mailbox',
      webhookUrl: `${config.publicUrl}/api/v1/channels/email/inbound`,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  }

  async function inboxOr404(auth: Pick<Auth, 'workspaceId'>, id: number) {
    const r = await repo.findInbox(db, auth.workspaceId, id);
    if (!r) throw notFound('Inbox');
    return r;
  }

  function settingsFields(input: UpdateEmailInbox, existing: repo.InboxRow | null): Record<string, unknown> {
    const f: Record<string, unknown> = {
      name: input.name,
      address: input.address,
      aliases: input.aliases,
      from_name: input.fromName,
      signature: input.signature,
      active: input.active,
      auto_ack_enabled: input.autoAck?.enabled,
      auto_ack_subject: input.autoAck?.subject,
      auto_ack_body: input.autoAck?.body,
      expected_response_fallback: input.autoAck?.expectedResponseFallback,
      accept_invalid_certs: input.acceptInvalidCertificates,
    };
    if (input.smtp !== undefined) {
      if (input.smtp === null) f.smtp = null;
      else {
        const keep = existing?.smtp?.passEnc ?? null;
        f.smtp = {
          host: input.smtp.host,
          port: input.smtp.port,
          secure: input.smtp.secure,
          user: input.smtp.user,
          passEnc:
            input.smtp.password === undefined
              ? keep
              : input.smtp.password
                ? keys().encrypt(input.smtp.password)
                : null,
        } satisfies repo.StoredSmtp;
      }
    }
    if (input.imap !== undefined) {
      if (input.imap === null) f.imap = null;
      else {
        const passEnc = input.imap.password
          ? keys().encrypt(input.imap.password)
          : (existing?.imap?.passEnc ?? null);
        if (!passEnc)
          throw new AppError('validation_failed', 'IMAP needs a password', [
            { path: 'body.imap.password', message: 'required when IMAP is first set up' },
          ]);
        if (input.imap.after === 'move' && !input.imap.moveTo)
          throw new AppError('validation_failed', 'Say which folder to move fetched mail to', [
            { path: 'body.imap.moveTo', message: 'required when after is "move"' },
          ]);
        f.imap = {
          host: input.imap.host,
          port: input.imap.port,
          secure: input.imap.secure,
          user: input.imap.user,
          passEnc,
          folder: input.imap.folder,
          after: input.imap.after,
          moveTo: input.imap.moveTo,
        } satisfies repo.StoredImap;
        // A different mailbox starts from its beginning.
        if (
          existing?.imap &&
          (existing.imap.host !== input.imap.host ||
            existing.imap.user !== input.imap.user ||
            existing.imap.folder !== input.imap.folder)
        ) {
          f.imap_last_uid = 0;
          f.imap_uid_validity = null;
        }
      }
    }
    return f;
  }

  async function checkAddresses(
    address: string | undefined,
    aliases: string[] | undefined,
    id: number | null,
  ) {
    for (const a of [...(address ? [address] : []), ...(aliases ?? [])])
      if (await repo.addressTaken(db, a, id)) throw conflict(`${a} is already used by an inbox`);
  }

  const newSecret = (inboxId: number) => `sdi_${inboxId}_${randomToken(24)}`;
  const inboxListeners = new Set<() => void>();
  const notifyInboxes = () => {
    changed();
    for (const fn of inboxListeners) fn();
  };

  return {
    onInboxesChanged(fn: () => void) {
      inboxListeners.add(fn);
    },

    imapSourceOf(inbox: repo.InboxRow) {
      const i = inbox.imap!;
      return {
        resolveAddress: pinnedAddressOf(inbox.workspace_id, i.host),
        host: i.host,
        port: i.port,
        secure: i.secure,
        user: i.user,
        pass: keys().decrypt(i.passEnc),
        folder: i.folder,
        after: i.after,
        moveTo: i.moveTo,
        acceptInvalidCerts: inbox.accept_invalid_certs,
      };
    },

    async listInboxes(auth: Auth) {
      return (await repo.listInboxes(db, auth.workspaceId)).map(toInbox);
    },
    async getInbox(auth: Auth, id: number) {
      return toInbox(await inboxOr404(auth, id));
    },
    async createInbox(auth: Auth, input: CreateEmailInbox) {
      await checkAddresses(input.address, input.aliases, null);
      await checkMailHosts(auth.workspaceId, input);
      const fields = settingsFields(input, null);
      const id = await db.tx(async (tx) => {
        const placeholder = sha256(randomToken());
        const id = await repo.insertInbox(tx, auth.workspaceId, {
          ...fields,
          name: input.name,
          address: input.address,
          webhook_secret_hash: placeholder,
        });
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'email_inbox.created',
          targetType: 'email_inbox',
          targetId: id,
          data: { address: input.address },
        });
        return id;
      });
      const secret = newSecret(id);
      await repo.updateInbox(db, auth.workspaceId, id, { webhook_secret_hash: sha256(secret) });
      notifyInboxes();
      return { ...toInbox((await repo.findInbox(db, auth.workspaceId, id))!), webhookSecret: secret };
    },
    async updateInbox(auth: Auth, id: number, input: UpdateEmailInbox) {
      const existing = await inboxOr404(auth, id);
      await checkAddresses(input.address, input.aliases, id);
      await checkMailHosts(auth.workspaceId, input);
      await db.tx(async (tx) => {
        await repo.updateInbox(tx, auth.workspaceId, id, settingsFields(input, existing));
        await recordAudit(tx, {
          workspaceId: auth.workspaceId,
          actorAgentId: auth.agentId,
          action: 'email_inbox.updated',
          targetType: 'email_inbox',
          targetId: id,
          data: { fields: Object.keys(input) },
        });
      });
      notifyInboxes();
      return toInbox((await repo.findInbox(db, auth.workspaceId, id))!);
    },
    async rotateSecret(auth: Auth, id: number) {
      await inboxOr404(auth, id);
      const secret = newSecret(id);
      await repo.updateInbox(db, auth.workspaceId, id, { webhook_secret_hash: sha256(secret) });
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'email_inbox.secret_rotated',
        targetType: 'email_inbox',
        targetId: id,
      });
      return { ...toInbox((await repo.findInbox(db, auth.workspaceId, id))!), webhookSecret: secret };
    },
    async deleteInbox(auth: Auth, id: number) {
      const rows = await repo.deleteInbox(db, auth.workspaceId, id);
      if (!rows.length) throw notFound('Inbox');
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'email_inbox.deleted',
        targetType: 'email_inbox',
        targetId: id,
      });
      notifyInboxes();
    },
  };
}
