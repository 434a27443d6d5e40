import { evalMessages } from '../../../apps/server/src/modules/bot/eval/messages.ts';
import { noArticleQuestions } from '../../../apps/server/src/modules/bot/eval/training.ts';
import { answerFromHelpCenter } from '../../../apps/server/src/modules/bot/index.ts';
import { detectLanguage } from '../../../apps/server/src/modules/bot/intents.ts';
import { createHelpCenterService } from '../../../apps/server/src/modules/helpcenter/index.ts';
import { seedDemoArticles } from '../../../apps/server/src/seed/demo-articles.ts';
import { type BenchContext, type Scenario, startServer, tempDir } from '../env.ts';
import { type BenchResult, figure } from '../results.ts';

/**
 * How the relevance threshold was chosen: on the tuning set's questions (an article answers them) and
 * the training questions no article answers — never the held-out sets — the lowest threshold that
 * keeps the honest "don't know" at 90 % (so the most right answers at that honesty). Reports the curve; bot-eval measures the chosen value.
 */
export const botRelevance: Scenario = {
  name: 'bot-relevance',
  description: 'bot: relevance threshold sweep on the tuning questions and the no-article training questions',
  databases: ['pglite'],
  async run(ctx: BenchContext): Promise<BenchResult[]> {
    const tmp = tempDir('bot-relevance');
    const server = await startServer({ dataDir: tmp.dir, memory: true });
    try {
      const ws = await server.newWorkspace('bot-relevance');
      await seedDemoArticles(server.shop.db, ws.workspaceId);
      const hc = createHelpCenterService(server.shop.deps);
      const ask = async (q: string) =>
        (await answerFromHelpCenter(hc, ws.workspaceId, detectLanguage(q).lang, q, { record: false }))[0];
      const withArticle: { right: boolean; conf: number }[] = [];
      for (const m of evalMessages.filter((x) => x.article)) {
        const best = await ask(m.text);
        withArticle.push({ right: !!best?.url.endsWith(`-${m.article}`), conf: best?.confidence ?? 0 });
        if (process.env.BOT_DEBUG && (best?.confidence ?? 0) < 0.7)
          ctx.log(`  low ${(best?.confidence ?? 0).toFixed(2)} ${m.text} → ${best?.title ?? ''}`);
      }
      const without: number[] = [];
      for (const q of noArticleQuestions) {
        const b = await ask(q);
        without.push(b?.confidence ?? 0);
        if (process.env.BOT_DEBUG)
          ctx.log(`  none ${(b?.confidence ?? 0).toFixed(2)} ${q} → ${b?.title ?? ''}`);
      }
      const out: BenchResult[] = [];
      let best = { t: 0, score: -1 };
      for (let t = 0.3; t <= 0.9001; t += 0.05) {
        const answered = withArticle.filter((x) => x.right && x.conf >= t).length / withArticle.length;
        const honest = without.filter((c) => c < t).length / without.length;
        ctx.log(
          `  threshold ${t.toFixed(2)}: answered right ${(answered * 100).toFixed(1)} %, honest ${(honest * 100).toFixed(1)} %`,
        );
        // The lowest threshold that keeps the honest "don't know" at the 90 % target.
        if (honest >= 0.9 && best.score < 0) best = { t, score: answered };
      }
      out.push(
        figure({
          scenario: 'bot-relevance',
          database: 'pglite',
          metric: 'best threshold',
          value: Math.round(best.t * 100) / 100,
          unit: '',
          note: `${withArticle.length} tuning questions with an article, ${without.length} training questions without`,
        }),
      );
      return out;
    } finally {
      await server.close();
      tmp.remove();
    }
  },
};
