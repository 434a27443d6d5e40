import type { Topic } from '../eval/topics.ts';
import { features } from './features.ts';
import { decodeWeights, type EncodedWeights, type Prediction } from './intent-model.ts';
import { scores, softmax, type Weights } from './softmax.ts';
import { TOPIC_DATA } from './topic-data.ts';

/**
 * The topic head: what a question or an article is about (eval/topics.ts), with the intent model's
 * features and trainer. Retrieval (retrieval.ts) compares a question's topic with each article's, so
 * an answer no longer depends on sharing words with the article.
 */
const argmax = (p: number[]) => p.indexOf(Math.max(...p));

export interface TopicData {
  fingerprint: string;
  examples: number;
  crossValidated: number;
  topic: EncodedWeights;
}

let loaded: Weights | null = null;

export function predictTopic(text: string): Prediction & { label: Topic } {
  loaded ??= decodeWeights((TOPIC_DATA as TopicData).topic);
  const p = softmax(scores(loaded, features(text)), loaded.temperature);
  const i = argmax(p);
  return {
    label: loaded.labels[i] as Topic,
    confidence: p[i]!,
    probabilities: Object.fromEntries(loaded.labels.map((l, j) => [l, p[j]!])),
  };
}

export const topicModelInfo = () => ({
  fingerprint: (TOPIC_DATA as TopicData).fingerprint,
  examples: (TOPIC_DATA as TopicData).examples,
  crossValidated: (TOPIC_DATA as TopicData).crossValidated,
});
