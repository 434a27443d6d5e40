import { features } from './features.ts';
import { fitTemperature, scores, softmax, train, type Weights } from './softmax.ts';
import { allTrainingExamples, trainingFingerprint } from './training-data.ts';

export const INTENT_LABELS = [
  'greeting',
  'thanks',
  'affirm',
  'deny',
  'human',
  'order_status',
  'return_request',
  'cancel_request',
  'change_order',
  'product_question',
  'complaint',
  'question',
] as const;
export const LANG_LABELS = ['en', 'de', 'fr', 'es', 'nl'] as const;

export interface TrainedModel {
  fingerprint: string;
  examples: number;
  intent: Weights;
  lang: Weights;
  /** Accuracy of 5-fold cross-validation on the training examples (out-of-fold predictions). */
  crossValidated: number;
  trainingAccuracy: number;
}

const argmax = (p: number[]) => p.indexOf(Math.max(...p));

/** Trains both heads; the intent head's temperature is fitted on 5-fold out-of-fold scores. */
export function trainModel(): TrainedModel {
  const ex = allTrainingExamples();
  const xs = ex.map((e) => features(e.text));
  const ys = ex.map((e) => INTENT_LABELS.indexOf(e.intent));
  const labels = [...INTENT_LABELS];
  const oof: number[][] = new Array(ex.length);
  for (let fold = 0; fold < 5; fold++) {
    const tr = ex.map((_, i) => i).filter((i) => i % 5 !== fold);
    const m = train(
      tr.map((i) => xs[i]!),
      tr.map((i) => ys[i]!),
      labels,
    );
    for (let i = fold; i < ex.length; i += 5) oof[i] = scores(m, xs[i]!);
  }
  const temperature = fitTemperature(oof, ys);
  const crossValidated = oof.filter((z, i) => argmax(z) === ys[i]).length / ex.length;
  const intent = train(xs, ys, labels);
  intent.temperature = temperature;
  const trainingAccuracy =
    xs.filter((x, i) => argmax(softmax(scores(intent, x))) === ys[i]).length / ex.length;
  const lang = train(
    xs,
    ex.map((e) => LANG_LABELS.indexOf(e.lang)),
    [...LANG_LABELS],
  );
  return {
    fingerprint: trainingFingerprint(ex),
    examples: ex.length,
    intent,
    lang,
    crossValidated,
    trainingAccuracy,
  };
}
