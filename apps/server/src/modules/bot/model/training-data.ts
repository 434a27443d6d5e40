import { createHash } from 'node:crypto';
import { evalMessages } from '../eval/messages.ts';
import { type TrainingExample, trainingExamples } from '../eval/training.ts';
import { BUCKETS } from './features.ts';

/** Everything the intent model learns from: the training examples and the (English) tuning set. */
export function allTrainingExamples(): TrainingExample[] {
  return [
    ...trainingExamples,
    ...evalMessages.map((m) => ({ text: m.text, intent: m.intent, lang: 'en' as const })),
  ];
}

/** Fingerprint of the examples and feature settings the shipped model was trained on. */
export function trainingFingerprint(examples = allTrainingExamples()): string {
  return createHash('sha256')
    .update(
      JSON.stringify({ v: 1, buckets: BUCKETS, examples: examples.map((e) => [e.text, e.intent, e.lang]) }),
    )
    .digest('hex')
    .slice(0, 16);
}
