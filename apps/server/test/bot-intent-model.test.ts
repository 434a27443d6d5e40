import { describe, expect, it } from 'vitest';
import { heldOutMessages } from '../src/modules/bot/eval/held-out.ts';
import { heldOut2 } from '../src/modules/bot/eval/held-out-2.ts';
import { classify, detectLanguage } from '../src/modules/bot/intents.ts';
import { modelInfo } from '../src/modules/bot/model/intent-model.ts';
import { predictTopic, topicModelInfo } from '../src/modules/bot/model/topic-model.ts';
import { topicFingerprint, topicTrainingExamples } from '../src/modules/bot/model/train-topics.ts';
import { allTrainingExamples, trainingFingerprint } from '../src/modules/bot/model/training-data.ts';
import { toEnglishTerms } from '../src/modules/bot/query-terms.ts';
import { coverage } from '../src/modules/bot/retrieval.ts';

describe('the intent model', () => {
  it('ships trained on the current examples (run `npm run bot:train` after changing them)', () => {
    expect(modelInfo().fingerprint).toBe(trainingFingerprint());
    expect(modelInfo().examples).toBe(allTrainingExamples().length);
  });

  it('never trains on a held-out message, for intents or topics', () => {
    const norm = (t: string) => t.trim().toLowerCase();
    const trained = new Set([...allTrainingExamples(), ...topicTrainingExamples()].map((e) => norm(e.text)));
    const leaked = [...heldOutMessages, ...heldOut2].filter((m) => trained.has(norm(m.text)));
    expect(leaked.map((m) => m.text)).toEqual([]);
  });

  it.each([
    ['I want to exchange these boots for a 43', 'return_request'],
    ['the bag came ripped, refund please', 'return_request'],
    ['Ich möchte die Hose umtauschen', 'return_request'],
    ['thank you for the help!', 'thanks'],
    ['Merci beaucoup pour votre aide', 'thanks'],
    ['the parcel already left but I need it sent to my new address', 'change_order'],
    ['Bitte stornieren Sie Bestellung 1042', 'cancel_request'],
    ['is the rain shell waterproof?', 'product_question'],
    ['1042', 'order_status'],
  ])('"%s" → %s', (text, intent) => {
    expect(classify(text).intent).toBe(intent);
  });

  it('gives a calibrated confidence between 0 and 1, from the model or a rule', () => {
    const c = classify('can you tell me where my package is');
    expect(c.source).toBe('model');
    expect(c.confidence).toBeGreaterThan(0);
    expect(c.confidence).toBeLessThanOrEqual(1);
    expect(classify('agent please').source).toBe('rule');
  });

  it('detects the five languages, and keeps the conversation language for short replies', () => {
    expect(detectLanguage('Wie lange dauert der Versand nach Österreich?').lang).toBe('de');
    expect(detectLanguage('Combien de temps prend la livraison ?').lang).toBe('fr');
    expect(detectLanguage('¿Cuánto tarda el envío a Madrid?').lang).toBe('es');
    expect(detectLanguage('Hoe lang duurt de bezorging?').lang).toBe('nl');
    expect(detectLanguage('how long does delivery take?').lang).toBe('en');
    expect(detectLanguage('ok', 'de')).toEqual({ lang: 'de', sure: false });
  });
});

describe('the relevance threshold', () => {
  const corpus = [
    'how do i use a discount code enter the code at checkout gift card field',
    'how long does delivery take shipping costs free from 50',
    'what is your returns policy return within 30 days',
  ].map((x) => ` ${x} `);
  it('a question whose distinctive words no article has scores low, a matching one high', () => {
    expect(coverage('how do I enter a discount code', null, corpus[0]!, corpus)).toBeGreaterThan(0.9);
    expect(coverage('do you have a physical store in berlin', null, corpus[2]!, corpus)).toBeLessThan(0.3);
  });
  it('translates shop words of other languages to English for the original article', () => {
    expect(toEnglishTerms('¿Cuánto cuesta el envío a España?')).toContain('shipping');
    expect(toEnglishTerms('Wie lange dauert der Versand?')).toContain('delivery');
  });
});

describe('the topic model', () => {
  it('ships trained on the current topic examples (run `npm run bot:train` after changing them)', () => {
    expect(topicModelInfo().fingerprint).toBe(topicFingerprint());
    expect(topicModelInfo().examples).toBe(topicTrainingExamples().length);
  });

  it.each([
    // Questions that share few words with the article that answers them, in the five languages.
    ['is there a limit on how long after delivery I can return', 'returns_policy'],
    ['Wann ist das Geld wieder auf meinem Konto?', 'refund'],
    ['le colis est arrivé écrasé et la veste est déchirée', 'damaged'],
    ['¿hacéis envíos a Portugal?', 'international'],
    ['ik wil een grotere maat in plaats van deze', 'exchange'],
    // Articles, from their title, keywords and summary as a shop writes them.
    ['Gift vouchers: buy one for a friend, redeem it at checkout', 'gift_card'],
    ['Our showroom in Hamburg: opening hours and directions', 'store'],
  ])('"%s" is about %s', (text, topic) => {
    expect(predictTopic(text).label).toBe(topic);
  });
});
