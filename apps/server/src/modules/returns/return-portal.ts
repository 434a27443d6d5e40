import { randomBytes } from 'node:crypto';
import { formatMoney, type Order, type Return, type ReturnOptions, ReturnOutcome } from '@shopdesk/contracts';
import { AppError } from '../../platform/errors.ts';
import { escapeHtml as e } from '../../platform/html/sanitize.ts';
import type { ShopperPage, ShopperPageInput, ShopperPageResult } from '../helpcenter/index.ts';
import { returnText } from './portal-text.ts';
import type { ShopperPhoto } from './return-create.ts';
import type { OutcomeQuote } from './return-eligibility.ts';
import type { ReturnsService } from './returns.service.ts';

/**
 * The shopper's return page, served by the help center at `/l/<token>` (shopper link, purpose
 * 'return', subject = the order). Plain forms in two steps, so it works without JavaScript: pick items
 * and reasons → see what each outcome gives (and upload photos where the reason asks) → submit. The
 * same page shows the order's returns with their status and timeline, and a message form that threads
 * into the return's ticket.
 */
export function returnPortalPage(svc: ReturnsService): ShopperPage {
  return {
    purpose: 'return',
    async render(input) {
      const { workspaceId, subject } = input.claims;
      const t = returnText(input.locale);
      if (subject.type !== 'order')
        return { status: 404, title: t.notFound, html: `<p>${e(t.notFound)}</p>` };
      let order: Order;
      let opts: ReturnOptions;
      try {
        order = await svc.orderFor(workspaceId, subject.id);
        opts = await svc.options(workspaceId, subject.id, order);
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found')
          return { status: 404, title: t.notFound, html: `<div class="error">${e(t.notFound)}</div>` };
        throw err;
      }
      // Forms and redirects keep the page's language (the link's path carries none of its own).
      const at = input.path.lastIndexOf('/l/');
      input = { ...input, path: `${input.path.slice(0, at)}/${input.locale}${input.path.slice(at)}` };
      const page = new Page(input, order, opts, (id) => svc.labelUrl(workspaceId, id));
      if (input.method === 'POST') {
        const step = input.fields.step;
        if (step === 'message') {
          const id = Number(input.fields.returnId);
          const text = (input.fields.text ?? '').trim().slice(0, 5000);
          const mine = (await svc.ofOrder(workspaceId, order.id)).find((r) => r.id === id);
          if (!mine || !text || !/^[\w-]{16,64}$/.test(input.fields.formKey ?? ''))
            return page.render(await svc.ofOrder(workspaceId, order.id), { status: 400, error: t.pickOne });
          await svc.shopperMessage(workspaceId, id, text, input.fields.formKey!);
          return { redirect: `${input.path}?sent=1` };
        }
        const picked = page.picked();
        if (!picked.length)
          return page.render(await svc.ofOrder(workspaceId, order.id), { status: 400, error: t.pickOne });
        try {
          if (step === 'review') {
            const quotes = await svc.quote(workspaceId, order.id, { lines: picked });
            // Several items: each gets its own choice, with what that choice gives for it.
            const perLine =
              picked.length > 1 ? await svc.quoteLines(workspaceId, order.id, { lines: picked }) : null;
            return page.review(picked, quotes, perLine);
          }
          if (step === 'submit') {
            const photos = new Map<number, ShopperPhoto[]>();
            for (const f of input.files) {
              const id = Number(f.field.replace(/^photo_/, ''));
              if (!f.data.length) continue;
              photos.set(id, [...(photos.get(id) ?? []), f]);
            }
            const key = input.fields.formKey ?? '';
            if (!/^[\w-]{16,64}$/.test(key)) throw new AppError('validation_failed', t.pickOne);
            const { ret } = await svc.create(
              workspaceId,
              {
                orderId: order.id,
                lines: picked,
                // A per-line choice wins; the whole-return choice covers lines without one.
                outcome: input.fields.outcome ? (input.fields.outcome as 'refund') : undefined,
                idempotencyKey: `portal:${key}`,
              },
              { kind: 'shopper', email: order.email, locale: input.locale, photos },
            );
            return { redirect: `${input.path}?rma=${encodeURIComponent(ret.rma)}` };
          }
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500) throw err;
          return page.render(await svc.ofOrder(workspaceId, order.id), { status: 400, error: err.message });
        }
      }
      return page.render(await svc.ofOrder(workspaceId, order.id), {
        done: input.query.rma ?? null,
        sent: input.query.sent === '1',
      });
    },
  };
}

type Picked = {
  lineItemId: number;
  quantity: number;
  reason: string;
  note?: string;
  outcome?: ReturnOutcome;
};
type PerLine = Awaited<ReturnType<ReturnsService['quoteLines']>>;

class Page {
  private t;
  /** Each return's label download (modules/labels), looked up before the page is drawn. */
  private labels = new Map<number, string>();
  constructor(
    private input: ShopperPageInput,
    private order: Order,
    private opts: ReturnOptions,
    private labelUrl: (returnId: number) => Promise<string | null>,
  ) {
    this.t = returnText(input.locale);
  }

  async render(returns: Return[], s: Parameters<Page['draw']>[1] = {}): Promise<ShopperPageResult> {
    for (const r of returns) {
      const url = await this.labelUrl(r.id);
      if (url) this.labels.set(r.id, url);
    }
    return this.draw(returns, s);
  }

  private money = (minor: number) => formatMoney(minor, this.order.currency, this.input.locale);
  private fill = (s: string, v: Record<string, string | number>) =>
    e(s).replace(/\{(\w+)\}/g, (_, k: string) => e(String(v[k] ?? '')));
  private reasonLabel(code: string) {
    const def = this.opts.reasons.find((r) => r.code === code);
    const translated = (this.t as Record<string, string>)[`reason_${code}`];
    // A label the shop wrote is theirs; the default ones read in the page's language.
    const isDefault = def && (returnText('en') as Record<string, string>)[`reason_${code}`] === def.label;
    return isDefault && translated ? translated : (def?.label ?? code);
  }

  /** The lines picked in the form: quantity and reason per line (strings from the shopper). */
  picked(): Picked[] {
    const f = this.input.fields;
    // Every line of the order: the service says why one cannot be returned (and a resent form whose
    // return already exists is answered with that return before any line is checked).
    return this.opts.lines
      .map((l) => ({
        lineItemId: l.lineItemId,
        quantity: Math.min(10_000, Math.max(0, Number.parseInt(f[`qty_${l.lineItemId}`] ?? '0', 10) || 0)),
        reason: (f[`reason_${l.lineItemId}`] ?? '').slice(0, 40),
        note: (f[`note_${l.lineItemId}`] ?? '').trim().slice(0, 300) || undefined,
        // Anything but a known outcome is the service's to refuse ("choose what you would like").
        outcome: ReturnOutcome.safeParse(f[`outcome_${l.lineItemId}`]).data,
      }))
      .filter((p) => p.quantity > 0 && p.reason);
  }

  private hidden(picked: Picked[]) {
    return picked
      .map(
        (p) =>
          `<input type="hidden" name="qty_${p.lineItemId}" value="${p.quantity}"><input type="hidden" name="reason_${p.lineItemId}" value="${e(p.reason)}">${p.note ? `<input type="hidden" name="note_${p.lineItemId}" value="${e(p.note)}">` : ''}`,
      )
      .join('');
  }

  review(picked: Picked[], quotes: OutcomeQuote[], perLine: PerLine | null): ShopperPageResult {
    const t = this.t;
    const extras = (q: Pick<OutcomeQuote, 'fee' | 'bonus'>) =>
      [
        q.fee ? this.fill(t.fees, { fee: this.money(q.fee) }) : '',
        q.bonus ? this.fill(t.bonus, { bonus: this.money(q.bonus) }) : '',
      ]
        .filter(Boolean)
        .join(', ');
    const lineChoice = (p: Picked, title: string) => {
      const opts = perLine?.lines.find((x) => x.lineItemId === p.lineItemId)?.options ?? [];
      const radios = opts
        .map((q, i) => {
          const extra = extras(q);
          return `<label class="choice"><input type="radio" name="outcome_${p.lineItemId}" value="${q.outcome}"${i === 0 ? ' checked' : ''} required> ${e((t as Record<string, string>)[`outcome_${q.outcome}`] ?? q.outcome)} — ${this.fill(t.youGet, { amount: this.money(q.amount) })}${extra ? ` <span class="muted">(${extra})</span>` : ''}${q.recommended && opts.length > 1 ? ` <span class="badge">${e(t.recommended)}</span>` : ''}</label>`;
        })
        .join('');
      return `<fieldset class="line-outcome"><legend>${this.fill(t.outcomeFor, { item: title })}</legend>${radios}</fieldset>`;
    };
    const items = picked
      .map((p) => {
        const l = this.opts.lines.find((x) => x.lineItemId === p.lineItemId)!;
        const reason = this.opts.reasons.find((r) => r.code === p.reason);
        const photos =
          reason && reason.photos !== 'off'
            ? `<label for="photo_${l.lineItemId}">${
                reason.photos === 'required'
                  ? this.fill(t.photosRequired, { item: l.title, n: Math.max(1, reason.minPhotos) })
                  : this.fill(t.photos, { item: l.title })
              }</label><input id="photo_${l.lineItemId}" type="file" name="photo_${l.lineItemId}" accept="image/jpeg,image/png,image/webp,image/heic" multiple${reason.photos === 'required' ? ' required' : ''}>`
            : '';
        return `<li>${p.quantity} × ${e(l.title)}${l.variantTitle ? ` (${e(l.variantTitle)})` : ''} — ${e(this.reasonLabel(p.reason))}${photos}${perLine ? lineChoice(p, l.title) : ''}</li>`;
      })
      .join('');
    const choices = quotes
      .map((q, i) => {
        const extra = extras(q);
        return `<p><label class="choice"><input type="radio" name="outcome" value="${q.outcome}"${i === 0 ? ' checked' : ''} required> <strong>${e((t as Record<string, string>)[`outcome_${q.outcome}`] ?? q.outcome)}</strong> — ${this.fill(t.youGet, { amount: this.money(q.amount) })}${extra ? ` <span class="muted">(${extra})</span>` : ''}${q.recommended && quotes.length > 1 ? ` <span class="badge">${e(t.recommended)}</span>` : ''}</label></p>`;
      })
      .join('');
    return {
      title: this.fill(t.title, { order: this.order.number }),
      html: `<h1>${this.fill(t.title, { order: this.order.number })}</h1>
<form method="post" action="${e(this.input.path)}" enctype="multipart/form-data">
<input type="hidden" name="formKey" value="${randomBytes(18).toString('base64url')}">
${this.hidden(picked)}<ul class="return-items">${items}</ul>
${
  perLine
    ? perLine.shippingFee > 0 && perLine.lines.some((l) => l.shopperFault)
      ? `<p class="muted">${this.fill(t.shippingOnce, { fee: this.money(perLine.shippingFee) })}</p>`
      : ''
    : `<fieldset><legend>${e(t.chooseOutcome)}</legend>${choices}</fieldset>`
}
<p><button type="submit" name="step" value="submit">${e(t.submit)}</button></p></form>
<form method="get" action="${e(this.input.path)}"><p><button type="submit" class="secondary">${e(t.back)}</button></p></form>`,
    };
  }

  private draw(
    returns: Return[],
    s: { status?: number; error?: string; done?: string | null; sent?: boolean } = {},
  ): ShopperPageResult {
    const t = this.t;
    const day = (iso: string | null) => {
      if (!iso) return '';
      try {
        return new Intl.DateTimeFormat(this.input.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
          new Date(`${iso}T00:00:00Z`),
        );
      } catch {
        return iso;
      }
    };
    const eligible = this.opts.lines.filter((l) => l.eligible);
    const deadline = eligible[0]?.deadline ?? null;
    const reasonOptions = this.opts.reasons
      .map((r) => `<option value="${e(r.code)}">${e(this.reasonLabel(r.code))}</option>`)
      .join('');
    const lines = this.opts.lines
      .map((l) => {
        const head = `<strong>${e(l.title)}</strong>${l.variantTitle ? ` <span class="muted">${e(l.variantTitle)}</span>` : ''} · ${this.money(l.unitValue)}`;
        if (!l.eligible) {
          const why = (t as Record<string, string>)[`why_${l.reason}`] ?? l.detail ?? '';
          return `<li class="card line ineligible" data-line="${l.lineItemId}">${head}<p class="muted">${e(why)}${l.offerCancel ? ` — ${e(t.contactToCancel)}` : ''}</p></li>`;
        }
        const qty = Array.from(
          { length: l.returnableQuantity + 1 },
          (_, i) => `<option value="${i}">${i}</option>`,
        ).join('');
        return `<li class="card line" data-line="${l.lineItemId}">${head}
<label for="qty_${l.lineItemId}">${e(t.quantity)}</label><select id="qty_${l.lineItemId}" name="qty_${l.lineItemId}">${qty}</select>
<label for="reason_${l.lineItemId}">${e(t.reason)}</label><select id="reason_${l.lineItemId}" name="reason_${l.lineItemId}"><option value="">${e(t.choose)}</option>${reasonOptions}</select>
<label for="note_${l.lineItemId}">${e(t.note)}</label><textarea id="note_${l.lineItemId}" name="note_${l.lineItemId}" maxlength="300" rows="2"></textarea></li>`;
      })
      .join('');
    const form =
      this.opts.blocked || !eligible.length
        ? `<div class="note">${e(this.opts.blocked ?? t.noneEligible)}</div><ul class="return-lines">${lines}</ul>`
        : `<form method="post" action="${e(this.input.path)}">
${deadline ? `<p class="muted">${this.fill(t.returnBy, { date: day(deadline) })}</p>` : ''}
<ul class="return-lines">${lines}</ul>
<p><button type="submit" name="step" value="review">${e(t.continue)}</button></p></form>`;
    const list = returns.length
      ? `<h2>${e(t.yourReturns)}</h2>${returns.map((r) => this.returnCard(r)).join('')}`
      : '';
    const done = s.done
      ? `<div class="ok" role="status">${this.fill(t.submitted, { rma: s.done })}</div>`
      : '';
    const sent = s.sent ? `<div class="ok" role="status">${e(t.messageSent)}</div>` : '';
    const error = s.error ? `<div class="error" role="alert">${e(s.error)}</div>` : '';
    return {
      status: s.status,
      title: this.fill(t.title, { order: this.order.number }),
      html: `<h1>${this.fill(t.title, { order: this.order.number })}</h1>${done}${sent}${error}
${returns.length ? list : ''}
<p class="muted">${e(t.intro)}</p>${form}`,
    };
  }

  private returnCard(r: Return) {
    const t = this.t;
    const status = (t as Record<string, string>)[`status_${r.status}`] ?? r.status;
    const when = (iso: string) => {
      try {
        return new Intl.DateTimeFormat(this.input.locale, {
          dateStyle: 'medium',
          timeStyle: 'short',
          timeZone: 'UTC',
        }).format(new Date(iso));
      } catch {
        return iso;
      }
    };
    const events = r.events
      .map(
        (ev) =>
          `<li><time datetime="${e(ev.at)}">${e(when(ev.at))}</time> ${e((t as Record<string, string>)[`ev_${ev.type}`] ?? ev.type)}</li>`,
      )
      .join('');
    return `<section class="card return" data-rma="${e(r.rma)}"><h3>${this.fill(t.rmaLabel, { rma: r.rma })} — <span class="return-status">${e(status)}</span></h3>
<ul>${r.lines.map((l) => `<li>${l.quantity} × ${e(l.title)} — ${e(this.reasonLabel(l.reason))}${r.outcome === 'mixed' ? ` · ${e((t as Record<string, string>)[`outcome_${l.outcome}`] ?? l.outcome)}: ${this.money(l.amount)}` : ''}</li>`).join('')}</ul>
<p>${e((t as Record<string, string>)[`outcome_${r.outcome}`] ?? r.outcome)}: ${this.money(r.value)}</p>
${r.status === 'declined' && r.declineReason ? `<div class="error">${this.fill(t.declinedBecause, { reason: r.declineReason })}</div>` : ''}
${
  this.labels.has(r.id) && ['approved', 'received'].includes(r.status)
    ? `<p class="note label-ready">${e(t.labelReady)} <a href="${e(this.labels.get(r.id)!)}" download>${e(t.labelDownload)}</a></p>`
    : r.status === 'approved' && r.outcome !== 'keep'
      ? `<p class="note">${this.fill(t.slip, { rma: r.rma })}</p>`
      : ''
}
<ol class="timeline">${events}</ol>
<form method="post" action="${e(this.input.path)}"><input type="hidden" name="step" value="message"><input type="hidden" name="returnId" value="${r.id}"><input type="hidden" name="formKey" value="${randomBytes(18).toString('base64url')}">
<label for="msg_${r.id}">${e(t.message)}</label><textarea id="msg_${r.id}" name="text" maxlength="5000" rows="2" required></textarea>
<p><button type="submit">${e(t.send)}</button></p></form></section>`;
  }
}
