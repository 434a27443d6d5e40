import { createHash } from 'node:crypto';
import { evalMessages } from '../eval/messages.ts';
import { DEMO_ARTICLE_TOPICS, TOPIC_LABELS, type Topic, topicExamples } from '../eval/topics.ts';
import { BUCKETS, features } from './features.ts';
import { fitTemperature, scores, train, type Weights } from './softmax.ts';

/** Training of the topic head (topic-model.ts), at build time only: `npm run bot:train`. */
export interface TopicTraining {
  text: string;
  topic: Topic;
}

/** The topic examples, plus the tuning set's questions labelled with a demo article. */
export function topicTrainingExamples(): TopicTraining[] {
  const fromTuning = evalMessages.flatMap((m) => {
    const topic = m.article ? DEMO_ARTICLE_TOPICS[m.article] : undefined;
    return topic ? [{ text: m.text, topic }] : [];
  });
  return [...topicExamples.map(({ text, topic }) => ({ text, topic })), ...fromTuning];
}

/** Fingerprint of the topic examples the shipped topic model was trained on (a test compares them). */
export function topicFingerprint(examples = topicTrainingExamples()): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        v: 1,
        buckets: BUCKETS,
        labels: TOPIC_LABELS,
        examples: examples.map((e) => [e.text, e.topic]),
      }),
    )
    .digest('hex')
    .slice(0, 16);
}

export interface TrainedTopics {
  weights: Weights;
  examples: number;
  crossValidated: number;
}

const argmax = (p: number[]) => p.indexOf(Math.max(...p));

export function trainTopicModel(): TrainedTopics {
  const ex = topicTrainingExamples();
  const labels = [...TOPIC_LABELS];
  const xs = ex.map((e) => features(e.text));
  const ys = ex.map((e) => labels.indexOf(e.topic));
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
  const weights = train(xs, ys, labels);
  weights.temperature = fitTemperature(oof, ys);
  const crossValidated = oof.filter((z, i) => argmax(z) === ys[i]).length / ex.length;
  return { weights, examples: ex.length, crossValidated };
}
