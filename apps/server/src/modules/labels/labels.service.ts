import {
  type CreateReturnLabel,
  type LabelAccount,
  type LabelAccountInput,
  type LabelProviderName,
  LabelSettings,
  type Return,
  type ReturnLabel,
} from '@shopdesk/contracts';
import {
  LabelError,
  type LabelRegistry,
  type ReturnLabelRequest,
} from '../../commerce/labels/label-provider.ts';
import { renderReturnSlip } from '../../commerce/labels/slip/slip-provider.ts';
import type { Deps } from '../../platform/deps.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Auth } from '../../platform/http/router.ts';
import { keyRing } from '../../platform/security/keys.ts';
import { recordAudit } from '../audit/index.ts';
import type { ShopperLinks } from '../helpcenter/index.ts';
import type { NoticesService } from '../notices/index.ts';
import type { ReturnsService } from '../returns/index.ts';
import type { TrackingService } from '../tracking/index.ts';
import { outboundPolicyOf } from '../workspaces/index.ts';
import * as repo from './labels.repository.ts';

export interface LabelsDeps {
  providers: LabelRegistry;
  returns: Pick<ReturnsService, 'getForShopper' | 'policyOf' | 'orderFor' | 'noteEvent'>;
  tracking: Pick<TrackingService, 'trackReturn'>;
  notices: Pick<NoticesService, 'send' | 'registerKind'>;
  links: Pick<ShopperLinks, 'sign' | 'verify'>;
  shopName: (workspaceId: number) => Promise<string>;
}

/** Each line's own outcome (per-line outcomes), else the return's. */
const outcomeOf = (r: Return, l: Return['lines'][number]) => l.outcome ?? r.outcome;
/** Something goes back in a parcel unless every line is keep-the-item. */
const needsParcel = (r: Return) => r.lines.some((l) => outcomeOf(r, l) !== 'keep');
const LINK_DAYS = 90;

/**
 * Return labels (docs/returns.md "Labels"): the workspace's provider accounts and settings, a label per
 * return made through the provider port (commerce/labels), what it cost and who pays, the shopper's
 * signed download, and the return parcel's tracking number handed to the tracking pipeline.
 */
export function createLabelsService(deps: Deps, o: LabelsDeps) {
  const { db, config } = deps;
  const keys = () => keyRing(config);

  o.notices.registerKind({
    kind: 'return.label_ready',
    description: 'Your return label or slip to print',
    variables: ['return.number', 'order.number', 'return.label_url', 'return.tracking'],
    templates: {
      en: {
        subject: 'Your return {{return.number}}: label to print',
        body:
          'Hi {{customer.first_name | there}},\n\nYour return {{return.number}} for order {{order.number}} is ready to send. ' +
          'Print the label here and stick it on the parcel (for a return slip: put it inside and write the number on the box):\n\n' +
          '{{return.label_url}}\n\n{{return.tracking | }}\n\n{{shop.name}}',
      },
      de: {
        subject: 'Ihre Rücksendung {{return.number}}: Etikett zum Ausdrucken',
        body:
          'Hallo {{customer.first_name | zusammen}},\n\nIhre Rücksendung {{return.number}} zur Bestellung {{order.number}} kann losgehen. ' +
          'Drucken Sie das Etikett hier aus und kleben Sie es auf das Paket (einen Rücksendeschein legen Sie bei und schreiben die Nummer auf den Karton):\n\n' +
          '{{return.label_url}}\n\n{{return.tracking | }}\n\n{{shop.name}}',
      },
    },
  });

  async function settingsOf(workspaceId: number): Promise<LabelSettings> {
    return LabelSettings.parse((await repo.getSettings(db, workspaceId)) ?? {});
  }

  const downloadUrl = (workspaceId: number, returnId: number) =>
    `${config.publicUrl}/api/v1/labels/download/${o.links.sign({
      purpose: 'return-label',
      workspaceId,
      subject: { type: 'return', id: returnId },
      ttlDays: LINK_DAYS,
    })}`;

  const toApi = (l: repo.LabelRow): ReturnLabel => ({
    id: l.id,
    returnId: l.return_id,
    rma: l.rma,
    provider: l.provider as LabelProviderName,
    status: l.status === 'pending' ? 'failed' : l.status,
    trackingNumber: l.tracking_number,
    carrier: l.carrier,
    service: l.service,
    cost: Number(l.cost_minor),
    costCurrency: l.cost_currency,
    paidBy: l.paid_by,
    shopperFee: Number(l.shopper_fee_minor),
    error: l.status === 'pending' ? 'Being made' : l.error,
    downloadUrl: l.status === 'ready' ? downloadUrl(l.workspace_id, l.return_id) : null,
    createdAt: l.created_at.toISOString(),
  });

  /**
   * Who pays return shipping, by the return policy: the shopper when a refund's reason is their fault
   * and the policy charges a return-shipping fee (deducted from the refund, as the quote showed);
   * otherwise the shop (its own faults, store credit and exchanges, or free returns).
   */
  async function payer(workspaceId: number, r: Return) {
    const policy = await o.returns.policyOf(workspaceId);
    const fault = (code: string) => policy.reasons.find((x) => x.code === code)?.fault ?? 'shopper';
    // Taken once off the refund when a refunded line's reason is the shopper's (as the quote did).
    const shopperFault = r.lines.some((l) => outcomeOf(r, l) === 'refund' && fault(l.reason) === 'shopper');
    const fee = shopperFault ? policy.returnShippingFee : 0;
    return { paidBy: fee > 0 ? ('shopper' as const) : ('shop' as const), shopperFee: fee };
  }

  async function requestFor(workspaceId: number, r: Return): Promise<ReturnLabelRequest> {
    const [order, settings, shopName] = await Promise.all([
      o.returns.orderFor(workspaceId, r.orderId),
      settingsOf(workspaceId),
      o.shopName(workspaceId),
    ]);
    return {
      rma: r.rma,
      orderNumber: r.orderNumber,
      shopName,
      shopper: { ...(order.shippingAddress ?? {}), email: r.email ?? order.email ?? null },
      shop: settings.returnAddress ?? { name: shopName },
      items: r.lines.map((l) => ({ title: l.title, sku: l.sku, quantity: l.quantity })),
      parcel: settings.parcel ?? null,
    };
  }

  async function accountFor(workspaceId: number, provider: string) {
    const p = o.providers.get(provider);
    if (!p) throw new AppError('validation_failed', `Unknown label provider ${provider}`);
    if (!p.needsCredentials)
      return {
        p,
        account: {
          workspaceId,
          credentials: {},
          settings: {},
          outbound: () => outboundPolicyOf(db, config, workspaceId),
        },
      };
    const row = await repo.account(db, workspaceId, provider);
    if (!row)
      throw new AppError(
        'validation_failed',
        `No ${provider} account is connected (Settings → Returns → Labels)`,
      );
    return {
      p,
      account: {
        workspaceId,
        credentials: JSON.parse(keys().decrypt(row.credentials)) as { apiKey?: string },
        settings: { carrier: row.settings.carrier ?? null, baseUrl: row.settings.baseUrl ?? null },
        outbound: () => outboundPolicyOf(db, config, workspaceId),
      },
    };
  }

  /**
   * Makes the return's label once: a live label is given back as it is (a retry, two clicks, the job
   * and an agent at once), `replace` voids it first. A provider's refusal is kept on a failed label
   * with its words; the return's history and ticket timeline show either.
   */
  async function create(
    workspaceId: number,
    returnId: number,
    input: CreateReturnLabel,
    agent: { agentId: number; name: string } | null,
  ): Promise<ReturnLabel> {
    const r = await o.returns.getForShopper(workspaceId, returnId);
    if (!['approved', 'received'].includes(r.status))
      throw new AppError(
        'conflict',
        `Return ${r.rma} is ${r.status.replace('_', ' ')}: no label until it is approved`,
      );
    if (!needsParcel(r))
      throw new AppError('conflict', `Return ${r.rma} keeps the items: nothing to send back`);
    if (input.replace) await repo.voidLive(db, workspaceId, returnId);
    const live = await repo.liveLabel(db, workspaceId, returnId);
    if (live) {
      if (live.status === 'pending') throw new AppError('conflict', `The label of ${r.rma} is being made`);
      return toApi(live);
    }
    const provider = input.provider ?? (await settingsOf(workspaceId)).provider;
    const { p, account } = await accountFor(workspaceId, provider);
    const request = await requestFor(workspaceId, r);
    const pay = await payer(workspaceId, r);
    const claimed = await repo.claim(db, {
      workspaceId,
      returnId,
      provider,
      rma: r.rma,
      request,
      ...pay,
      agentId: agent?.agentId ?? null,
    });
    if (!claimed) {
      const other = await repo.liveLabel(db, workspaceId, returnId);
      if (other?.status === 'ready') return toApi(other);
      throw new AppError('conflict', `The label of ${r.rma} is being made`);
    }
    let row: repo.LabelRow;
    try {
      const made = await p.createReturnLabel(account, request);
      row = (await repo.finish(db, claimed.id, made))!;
    } catch (err) {
      if (!(err instanceof LabelError)) {
        await repo.fail(db, claimed.id, (err as Error).message);
        throw err;
      }
      row = (await repo.fail(db, claimed.id, err.message))!;
    }
    const by = agent ?? { agentId: null, name: 'Shopdesk' };
    await o.returns.noteEvent(workspaceId, returnId, row.status === 'ready' ? 'label' : 'label_failed', by, {
      provider,
      carrier: row.carrier,
      trackingNumber: row.tracking_number,
      cost: Number(row.cost_minor),
      costCurrency: row.cost_currency,
      paidBy: row.paid_by,
      shopperFee: Number(row.shopper_fee_minor),
      error: row.error,
    });
    if (agent)
      await recordAudit(db, {
        workspaceId,
        actorAgentId: agent.agentId,
        action: row.status === 'ready' ? 'return_label.created' : 'return_label.failed',
        targetType: 'return',
        targetId: returnId,
        data: { provider, cost: Number(row.cost_minor), currency: row.cost_currency, error: row.error },
      });
    if (row.status === 'ready') await afterReady(workspaceId, r, row);
    return toApi(row);
  }

  /** The parcel joins the tracking pipeline, and the shopper gets the link to print. */
  async function afterReady(workspaceId: number, r: Return, row: repo.LabelRow) {
    if (row.tracking_number)
      await o.tracking.trackReturn(workspaceId, {
        trackingNumber: row.tracking_number,
        carrier: row.carrier,
        orderId: r.orderId,
      });
    if (!r.ticketId) return;
    try {
      await o.notices.send({
        workspaceId,
        kind: 'return.label_ready',
        ticketId: r.ticketId,
        dedupeKey: `return.label_ready:${row.id}`,
        locale: r.locale,
        about: { type: 'return', id: r.id },
        values: {
          'return.number': r.rma,
          'order.number': r.orderNumber,
          'return.label_url': downloadUrl(workspaceId, r.id),
          'return.tracking': row.tracking_number
            ? `${row.carrier ?? 'Tracking'}: ${row.tracking_number}`
            : '',
        },
      });
    } catch (err) {
      // The label exists and the status page offers it; a notice that cannot go out is logged, not fatal.
      deps.log.warn({ err, returnId: r.id }, 'labels: the label notice was not sent');
    }
  }

  return {
    settings: settingsOf,
    async putSettings(auth: Auth, s: LabelSettings) {
      if (s.provider !== 'slip' && !(await repo.account(db, auth.workspaceId, s.provider)))
        throw new AppError(
          'validation_failed',
          `Connect a ${s.provider} account before making it the default`,
        );
      await repo.putSettings(db, auth.workspaceId, s);
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'label_settings.updated',
        targetType: 'workspace',
        targetId: auth.workspaceId,
        data: { provider: s.provider, autoCreate: s.autoCreate },
      });
      return settingsOf(auth.workspaceId);
    },
    async accounts(workspaceId: number): Promise<LabelAccount[]> {
      return (await repo.accounts(db, workspaceId)).map((a) => ({
        provider: a.provider as LabelProviderName,
        carrier: a.settings.carrier ?? null,
        baseUrl: a.settings.baseUrl ?? null,
        keyHint: a.settings.keyHint ?? '',
        updatedAt: a.updated_at.toISOString(),
      }));
    },
    async putAccount(auth: Auth, provider: LabelProviderName, input: LabelAccountInput) {
      if (!o.providers.get(provider)?.needsCredentials)
        throw new AppError('validation_failed', `${provider} needs no account`);
      await repo.putAccount(
        db,
        auth.workspaceId,
        provider,
        keys().encrypt(JSON.stringify({ apiKey: input.apiKey })),
        {
          carrier: input.carrier ?? null,
          baseUrl: input.baseUrl ?? null,
          keyHint: `…${input.apiKey.slice(-4)}`,
        },
      );
      await recordAudit(db, {
        workspaceId: auth.workspaceId,
        actorAgentId: auth.agentId,
        action: 'label_account.connected',
        targetType: 'workspace',
        targetId: auth.workspaceId,
        data: { provider },
      });
      return (await this.accounts(auth.workspaceId)).find((a) => a.provider === provider)!;
    },
    async deleteAccount(auth: Auth, provider: LabelProviderName) {
      if ((await settingsOf(auth.workspaceId)).provider === provider)
        throw new AppError(
          'conflict',
          `${provider} makes this workspace's labels; choose another provider first`,
        );
      if (!(await repo.deleteAccount(db, auth.workspaceId, provider))) throw notFound('Label account');
    },
    create,
    async ofReturn(workspaceId: number, returnId: number) {
      await o.returns.getForShopper(workspaceId, returnId);
      return (await repo.labelsOfReturn(db, workspaceId, returnId)).map(toApi);
    },
    /** The status page's link: the live label's download, or null while there is none. */
    async downloadUrlFor(workspaceId: number, returnId: number) {
      const l = await repo.liveLabel(db, workspaceId, returnId);
      return l?.status === 'ready' ? downloadUrl(workspaceId, returnId) : null;
    },
    /** The shopper's download: the slip drawn again from what it printed, or the carrier's label. */
    async download(token: string): Promise<{ pdf: Buffer; filename: string } | { redirect: string }> {
      const claims = o.links.verify(token, 'return-label');
      if (claims?.subject.type !== 'return') throw notFound('Label');
      const l = await repo.liveLabel(db, claims.workspaceId, claims.subject.id);
      if (l?.status !== 'ready') throw notFound('Label');
      if (l.label_url) return { redirect: l.label_url };
      return {
        pdf: await renderReturnSlip(l.request as unknown as ReturnLabelRequest),
        filename: `return-${l.rma}.pdf`,
      };
    },
    /** A return was approved: make its label when the workspace makes them on their own. */
    async onApproved(workspaceId: number, returnId: number) {
      if (!(await settingsOf(workspaceId)).autoCreate) return null;
      try {
        return await create(workspaceId, returnId, { replace: false }, null);
      } catch (err) {
        // Declined meanwhile, keep-the-item, or another request is making it: nothing to do.
        if (err instanceof AppError && (err.code === 'conflict' || err.code === 'not_found')) return null;
        throw err;
      }
    },
  };
}

export type LabelsService = ReturnType<typeof createLabelsService>;
