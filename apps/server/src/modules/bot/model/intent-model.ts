import { features } from './features.ts';
import { MODEL_DATA } from './model-data.ts';
import { scores, softmax, type Weights } from './softmax.ts';

export interface EncodedWeights {
  labels: string[];
  temperature: number;
  scale: number;
  /** Base64 of int8 weights, row-major [bucket][label]. */
  weights: string;
}

/** int8 quantisation: the shipped model stays small (one byte per weight). */
export function encodeWeights(m: Weights): EncodedWeights {
  let max = 0;
  for (const v of m.w) max = Math.max(max, Math.abs(v));
  const scale = max / 127 || 1;
  const q = new Int8Array(m.w.length);
  m.w.forEach((v, i) => {
    q[i] = Math.round(v / scale);
  });
  return {
    labels: m.labels,
    temperature: m.temperature,
    scale,
    weights: Buffer.from(q.buffer).toString('base64'),
  };
}

export function decodeWeights(e: EncodedWeights): Weights {
  const b = Buffer.from(e.weights, 'base64');
  const q = new Int8Array(b.buffer, b.byteOffset, b.byteLength);
  const w = new Float32Array(q.length);
  q.forEach((v, i) => {
    w[i] = v * e.scale;
  });
  return { labels: e.labels, w, temperature: e.temperature };
}

let loaded: { intent: Weights; lang: Weights } | null = null;
const model = () => {
  loaded ??= { intent: decodeWeights(MODEL_DATA.intent), lang: decodeWeights(MODEL_DATA.lang) };
  return loaded;
};

export interface Prediction {
  label: string;
  /** Calibrated probability of `label` (temperature fitted on cross-validated scores). */
  confidence: number;
  probabilities: Record<string, number>;
}

function predict(m: Weights, text: string): Prediction {
  const p = softmax(scores(m, features(text)), m.temperature);
  const i = p.indexOf(Math.max(...p));
  return {
    label: m.labels[i]!,
    confidence: p[i]!,
    probabilities: Object.fromEntries(m.labels.map((l, j) => [l, p[j]!])),
  };
}

export const predictIntent = (text: string) => predict(model().intent, text);
export const predictLanguage = (text: string) => predict(model().lang, text);
export const modelInfo = () => ({
  fingerprint: MODEL_DATA.fingerprint,
  examples: MODEL_DATA.examples,
  crossValidated: MODEL_DATA.crossValidated,
  trainingAccuracy: MODEL_DATA.trainingAccuracy,
});
