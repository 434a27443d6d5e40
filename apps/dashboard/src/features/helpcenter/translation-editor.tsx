import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { ApiError } from '../../lib/api.ts';
import { useConfirm } from '../../ui/dialog.tsx';
import {
  type ArticleT,
  fileToBase64,
  hcApi,
  languageName,
  stateOf,
  type TranslationT,
} from './helpcenter-api.ts';
import { ArticlePreview } from './preview.tsx';

export type Draft = { title: string; bodyMd: string; summary: string; keywords: string };

/**
 * Edits one language version: Markdown with live preview and image upload, save draft, publish and
 * unpublish. Mount it with a key that includes the draft version so a restore or a colleague's save
 * shows up as a fresh form.
 */
type Msg = { ok: boolean; text: string; stale?: boolean } | null;
type EditorProps = {
  article: ArticleT | null;
  locale: string;
  translation: TranslationT | undefined;
  /** Starting text when the translation does not exist yet (e.g. the source language's text). */
  initial?: Draft;
  canEdit: boolean;
  /** Leads may delete a language version (not the article's last one). */
  canDelete?: boolean;
  /** After a delete the form unmounts; the parent says so instead. */
  onDeleted?: (message: string) => void;
  /** New article: creates it from the first draft and returns it. */
  onCreate?: (d: Draft) => Promise<ArticleT | null>;
  layout?: 'split' | 'stacked';
};

/**
 * The form remounts whenever the stored draft changes (a save, a restore, a colleague's save), so it
 * always starts from what is stored; the outcome message lives here, outside it, and survives that.
 */
export function TranslationEditor(props: EditorProps) {
  const [msg, setMsg] = useState<Msg>(null);
  return (
    <EditorForm
      key={`${props.article?.id ?? 'new'}-${props.locale}-${props.translation?.draftVersion ?? 0}`}
      {...props}
      msg={msg}
      setMsg={setMsg}
    />
  );
}

function EditorForm({
  article,
  locale,
  translation,
  initial,
  canEdit,
  canDelete = false,
  onDeleted,
  onCreate,
  layout = 'split',
  msg,
  setMsg,
}: EditorProps & { msg: Msg; setMsg: (m: Msg) => void }) {
  const [ask, askDialog] = useConfirm();
  const qc = useQueryClient();
  const start = translation ?? initial ?? { title: '', bodyMd: '', summary: '', keywords: '' };
  const [d, setD] = useState<Draft>({
    title: start.title,
    bodyMd: start.bodyMd,
    summary: start.summary,
    keywords: start.keywords,
  });
  const [busy, setBusy] = useState(false);
  const body = useRef<HTMLTextAreaElement>(null);
  const dirty =
    !translation ||
    d.title !== translation.title ||
    d.bodyMd !== translation.bodyMd ||
    d.summary !== translation.summary ||
    d.keywords !== translation.keywords;
  const lang = languageName(locale);
  const st = stateOf(translation);

  const refresh = async (a: ArticleT) => {
    qc.setQueryData(['hc', 'article', a.id], a);
    await qc.invalidateQueries({ queryKey: ['hc', 'articles'] });
    await qc.invalidateQueries({ queryKey: ['hc', 'versions', a.id] });
  };
  const run = async (fn: () => Promise<unknown>, ok: string) => {
    setBusy(true);
    setMsg(null);
    try {
      await fn();
      setMsg({ ok: true, text: ok });
    } catch (e) {
      setMsg({
        ok: false,
        text: e instanceof ApiError ? e.message : 'Something went wrong',
        stale: e instanceof ApiError && e.code === 'stale_version',
      });
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    if (!article) {
      await onCreate?.(d);
      return null;
    }
    const a = await hcApi.saveTranslation(article.id, locale, {
      ...d,
      baseVersion: translation?.draftVersion,
    });
    await refresh(a);
    return a;
  };
  const publish = (on: boolean) =>
    run(
      async () => {
        if (on && dirty && article) await save();
        if (!article) return;
        await refresh(await hcApi.publish(article.id, locale, on));
      },
      on ? `${lang} version published — shoppers see it now.` : `${lang} version unpublished.`,
    );

  const insertAtCaret = (text: string) => {
    const el = body.current;
    const s = el?.selectionStart ?? d.bodyMd.length;
    const e = el?.selectionEnd ?? s;
    const next = d.bodyMd.slice(0, s) + text + d.bodyMd.slice(e);
    setD({ ...d, bodyMd: next });
    setTimeout(() => {
      el?.focus();
      el?.setSelectionRange(s + text.length, s + text.length);
    }, 0);
  };
  const upload = (files: FileList | null) => {
    const f = files?.[0];
    if (!f) return;
    void run(async () => {
      const r = await hcApi.uploadImage({
        filename: f.name,
        contentType: f.type || 'application/octet-stream',
        contentBase64: await fileToBase64(f),
      });
      insertAtCaret(`\n${r.markdown}\n`);
    }, `Image ${f.name} uploaded and inserted.`);
  };

  const field = (k: keyof Draft, label: string, props: Record<string, unknown> = {}) => (
    <label className="hc-field">
      <span>{label}</span>
      <input
        value={d[k]}
        readOnly={!canEdit}
        onChange={(e) => setD({ ...d, [k]: e.target.value })}
        {...props}
      />
    </label>
  );

  return (
    <div className={`hc-editor hc-${layout}`}>
      {askDialog}
      <div className="hc-edit-pane">
        <div className="row">
          <strong>{lang}</strong>
          <span className={`hc-state ${st.cls}`}>{translation ? st.label : 'not created yet'}</span>
          {translation && <span className="muted small">draft v{translation.draftVersion}</span>}
        </div>
        {field('title', `Title (${lang})`, { required: true, maxLength: 300 })}
        {field('summary', `Summary (${lang})`, { maxLength: 400, placeholder: 'Shown in search results' })}
        {field('keywords', `Search keywords (${lang})`, {
          maxLength: 1000,
          placeholder: 'Words shoppers use',
        })}
        <label className="hc-field">
          <span>Body (Markdown, {lang})</span>
          <textarea
            ref={body}
            rows={layout === 'split' ? 18 : 12}
            value={d.bodyMd}
            readOnly={!canEdit}
            onChange={(e) => setD({ ...d, bodyMd: e.target.value })}
          />
        </label>
        <p className="muted small">
          ## Heading · **bold** · [link](https://…) · | table | rows | · a YouTube/Vimeo link alone on a line
          embeds the video.
        </p>
        {msg && (
          <p className={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'}>
            {msg.text}
            {msg.stale && article && (
              <>
                {' '}
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    setMsg(null);
                    void qc.invalidateQueries({ queryKey: ['hc', 'article', article.id] });
                  }}
                >
                  Load their version (your changes here are discarded)
                </button>
              </>
            )}
          </p>
        )}
        {canEdit && (
          <div className="row">
            <label className="inline attach">
              Upload image
              <input
                type="file"
                accept="image/png,image/jpeg,image/gif,image/webp"
                className="sr"
                aria-label={`Upload image into the ${lang} article`}
                onChange={(e) => {
                  upload(e.target.files);
                  e.target.value = '';
                }}
              />
            </label>
            <span className="spacer" />
            <button
              type="button"
              disabled={busy || !d.title.trim() || (!!translation && !dirty)}
              onClick={() =>
                void run(
                  save,
                  article
                    ? `${lang} draft saved — shoppers still see the published version.`
                    : 'Draft created.',
                )
              }
            >
              {translation ? 'Save draft' : article ? `Create ${lang} version` : 'Create draft'}
            </button>
            {article && translation && canDelete && article.translations.length > 1 && (
              <button
                type="button"
                className="link danger"
                disabled={busy}
                onClick={async () => {
                  if (
                    !(await ask(
                      `Delete the ${lang} version with its history? Shoppers then get another language.`,
                      { confirmLabel: 'Delete' },
                    ))
                  )
                    return;
                  void run(async () => {
                    await refresh(await hcApi.deleteTranslation(article.id, locale));
                    onDeleted?.(`${lang} version deleted.`);
                  }, `${lang} version deleted.`);
                }}
              >
                Delete {lang} version
              </button>
            )}
            {article && translation?.published && (
              <button type="button" disabled={busy} onClick={() => void publish(false)}>
                Unpublish
              </button>
            )}
            {article && (
              <button
                type="button"
                className="primary"
                disabled={
                  busy ||
                  !d.title.trim() ||
                  (!!translation?.published && !translation.hasUnpublishedChanges && !dirty)
                }
                onClick={() => void publish(true)}
              >
                {translation?.published ? 'Publish changes' : 'Publish'}
              </button>
            )}
          </div>
        )}
      </div>
      <ArticlePreview title={d.title} bodyMd={d.bodyMd} label={`Preview (${lang})`} />
    </div>
  );
}
