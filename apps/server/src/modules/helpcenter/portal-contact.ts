import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../../platform/html/sanitize.ts';
import type { FormFile } from './multipart.ts';
import { askBody, contactBody, contactScript, searchForm } from './portal-html.ts';
import { text as fill } from './portal-i18n.ts';
import type { PortalKit } from './portal-kit.ts';
import { type Ctx, MAX_FILE_BYTES, MAX_FILES } from './portal-kit.ts';

/** Reaching the shop: the contact form (with article suggestions while typing) and "Ask a question". */
export function contactPages(kit: PortalKit) {
  const { o, hc, overLimit, send, url, tooMany, formFields, formWithFiles } = kit;

  async function suggestions(ctx: Ctx, q: string, formKey: string | null) {
    const r = await hc.suggest(ctx.base.workspaceId, q, {
      locale: ctx.nav.locale,
      visitorKey: ctx.visitor,
      formKey,
    });
    return r.hits.map((h) => ({
      title: h.title,
      url: `${ctx.base.prefix}/${h.locale}/articles/${h.articleId}-${h.slug}`,
      snippet: h.snippet,
    }));
  }

  async function contactPage(
    ctx: Ctx,
    state: {
      values?: Record<string, string>;
      errors?: Record<string, string>;
      suggestions?: { title: string; url: string; snippet: string }[];
      status?: number;
    } = {},
  ) {
    send(
      ctx,
      state.status ?? 200,
      {
        title: `${ctx.m.contactUs} · ${ctx.theme.title}`,
        description: fill(ctx.m.contactDescription, { shop: ctx.theme.shopName }),
        canonical: url(ctx, `/${ctx.nav.locale}/contact`),
        script: contactScript(`${ctx.base.prefix}/${ctx.nav.locale}/contact/suggestions`),
      },
      contactBody(ctx.nav, {
        topics: ctx.settings.contact_topics,
        values: state.values ?? {},
        errors: state.errors ?? {},
        formKey:
          state.values?.formKey && /^[\w-]{16,64}$/.test(state.values.formKey)
            ? state.values.formKey
            : randomBytes(16).toString('base64url'),
        suggestions: state.suggestions ?? [],
        maxFiles: MAX_FILES,
        maxFileMb: MAX_FILE_BYTES / 1024 / 1024,
      }),
    );
  }

  async function contactSubmit(ctx: Ctx) {
    let fields: Record<string, string>;
    let files: FormFile[] = [];
    try {
      const parsed = formWithFiles(ctx.req);
      fields = parsed.fields;
      files = parsed.files.filter((f) => f.field === 'attachments');
    } catch {
      return contactPage(ctx, {
        status: 400,
        errors: { form: ctx.m.errFormUnreadable },
      });
    }
    const values = {
      name: (fields.name ?? '').trim().slice(0, 200),
      email: (fields.email ?? '').trim().slice(0, 320),
      topic: (fields.topic ?? '').trim(),
      orderNumber: (fields.orderNumber ?? '').trim().slice(0, 40),
      subject: (fields.subject ?? '').trim().slice(0, 300),
      message: (fields.message ?? '').trim().slice(0, 20_000),
      formKey: fields.formKey ?? '',
    };
    if (fields.action === 'suggest') {
      const s = values.subject || values.message.slice(0, 200);
      return contactPage(ctx, { values, suggestions: s ? await suggestions(ctx, s, values.formKey) : [] });
    }
    const errors: Record<string, string> = {};
    const m = ctx.m;
    if (!/^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/.test(values.email)) errors.email = m.errEmail;
    if (!ctx.settings.contact_topics.includes(values.topic)) errors.topic = m.errTopic;
    if (!values.subject) errors.subject = m.errSubject;
    if (!values.message) errors.message = m.errMessage;
    if (values.orderNumber && !/^#?[\w-]{1,40}$/.test(values.orderNumber))
      errors.orderNumber = m.errOrderNumber;
    if (files.length > MAX_FILES) errors.attachments = fill(m.errTooManyFiles, { n: MAX_FILES });
    if (files.some((f) => f.data.length > MAX_FILE_BYTES))
      errors.attachments = fill(m.errFileTooBig, { mb: MAX_FILE_BYTES / 1024 / 1024 });
    if (!/^[\w-]{16,64}$/.test(values.formKey)) errors.form = m.errFormExpired;
    if (Object.keys(errors).length) return contactPage(ctx, { values, errors, status: 400 });
    const wait = await overLimit(ctx, 'portal.contact');
    if (wait !== null) return tooMany(ctx, wait);

    const body = [
      values.message,
      '',
      `Topic: ${values.topic}`,
      ...(values.orderNumber ? [`Order number: ${values.orderNumber}`] : []),
    ].join('\n');
    // The form's one-time key is the message's external id: a double submit (or a retry after a
    // timeout) finds the stored message and lands on the same ticket.
    const r = await o.tickets.receive(ctx.base.workspaceId, {
      channel: 'web',
      contact: { email: values.email, name: values.name || null },
      subject: values.subject,
      bodyText: body,
      attachments: files.map((f) => ({
        filename: f.filename.slice(0, 200),
        contentType: f.contentType,
        data: f.data,
      })),
      externalId: `help-contact:${values.formKey}`,
      dedupe: true,
      tags: ['contact-form'],
      channelMeta: {
        source: 'help-center-contact',
        topic: values.topic,
        orderNumber: values.orderNumber || null,
        locale: ctx.nav.locale,
        userAgent: String(ctx.req.headers['user-agent'] ?? '').slice(0, 300),
      },
    });
    if (!r.duplicate) {
      await hc.recordContactSubject(ctx.base.workspaceId, values.subject, ctx.nav.locale, values.formKey);
      await hc.linkVisitorEmail(ctx.base.workspaceId, ctx.visitor, values.email);
      const viewed = await hc.recentlyViewed(ctx.base.workspaceId, ctx.visitor);
      await hc.recordDeflection(ctx.base.workspaceId, {
        source: 'contact-form',
        visitorKey: ctx.visitor,
        query: values.subject,
        articleIds: viewed,
        outcome: 'ticket_created',
        ticketId: r.ticketId,
      });
    }
    // Post/redirect/get: a reload of the thank-you page never re-submits.
    return ctx.reply.redirect(
      `${ctx.base.prefix}/${ctx.nav.locale}/contact/sent?ref=${r.ticketId}&to=${encodeURIComponent(values.email)}`,
      303,
    );
  }

  async function ask(ctx: Ctx, method: string) {
    const bot = o.bot?.();
    const canonical = url(ctx, `/${ctx.nav.locale}/ask`);
    if (!bot)
      return send(
        ctx,
        200,
        { title: `${ctx.m.askQuestion} · ${ctx.theme.title}`, description: '', canonical },
        `<h1>${escapeHtml(ctx.m.askQuestion)}</h1><p>${searchForm(ctx.nav)}</p><p><a href="${escapeHtml(`${ctx.base.prefix}/${ctx.nav.locale}/contact`)}">${escapeHtml(ctx.m.contactUs)}</a></p>`,
      );
    let text: string | null = null;
    if (method === 'POST') {
      text = (formFields(ctx.req).text ?? '').trim().slice(0, 1000) || null;
      const wait = await overLimit(ctx, 'portal.ask');
      if (wait !== null) return tooMany(ctx, wait);
    } else {
      const q = String((ctx.req.query as Record<string, unknown>).q ?? '')
        .trim()
        .slice(0, 1000);
      text = q || null;
    }
    const r = await bot.converse({
      workspaceId: ctx.base.workspaceId,
      conversationKey: `portal:${ctx.visitor}`,
      locale: ctx.nav.locale,
      text,
      clientIp: ctx.req.ip,
    });
    return send(
      ctx,
      200,
      {
        title: `${ctx.m.askQuestion} · ${ctx.theme.title}`,
        description: fill(ctx.m.askDescription, { shop: ctx.theme.shopName }),
        canonical,
        noindex: true,
      },
      askBody(ctx.nav, {
        formKey: ctx.visitor,
        transcript: r.transcript,
      }),
    );
  }

  return { suggestions, contactPage, contactSubmit, ask };
}
