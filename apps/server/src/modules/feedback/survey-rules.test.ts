import { FeedbackSettings } from '@shopdesk/contracts';
import { describe, expect, it } from 'vitest';
import {
  type CycleFacts,
  csatDecision,
  inSample,
  isLowScore,
  npsDecision,
  verdictOf,
} from './survey-rules.ts';

const settings = FeedbackSettings.parse({});
const facts: CycleFacts = {
  channel: 'email',
  teamId: 3,
  tags: [],
  human: true,
  hasContact: true,
  optedOut: false,
  lastSurveyedAt: null,
  sampleKey: '1:2:2026-01-01T00:00:00.000Z',
};
const now = new Date('2026-03-01T12:00:00Z');

describe('survey rules', () => {
  it('asks each cycle unless a rule says why not', () => {
    expect(csatDecision(settings.csat, facts, now)).toEqual({ send: true });
    const days = (n: number) => new Date(now.getTime() - n * 86_400_000);
    expect(csatDecision(settings.csat, { ...facts, lastSurveyedAt: days(3) }, now)).toMatchObject({
      send: false,
      reason: 'asked within the last 7 days',
    });
    expect(csatDecision(settings.csat, { ...facts, lastSurveyedAt: days(8) }, now).send).toBe(true);
    const only = { ...settings.csat, channels: ['chat'] };
    expect(csatDecision(only, facts, now)).toMatchObject({
      send: false,
      reason: 'channel email is not surveyed',
    });
    const tagged = { ...settings.csat, includeTags: ['returns'] };
    expect(csatDecision(tagged, facts, now).send).toBe(false);
    expect(csatDecision(tagged, { ...facts, tags: ['returns'] }, now).send).toBe(true);
    const noBot = { ...settings.csat, botResolutions: 'skip' as const };
    expect(csatDecision(noBot, { ...facts, human: false }, now)).toMatchObject({
      reason: 'resolved by the bot',
    });
    expect(csatDecision(settings.csat, { ...facts, optedOut: true }, now).send).toBe(false);
  });

  it('samples the same way every time for the same cycle, close to the percentage', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `w:${i}`);
    const picked = keys.filter((k) => inSample(25, k)).length;
    expect(picked).toBeGreaterThan(400);
    expect(picked).toBeLessThan(600);
    expect(keys.filter((k) => inSample(25, k))).toEqual(keys.filter((k) => inSample(25, k)));
  });

  it('reads scores per scale', () => {
    expect([1, 2, 3, 4, 5].map((n) => verdictOf('five', n))).toEqual([
      'bad',
      'bad',
      'neutral',
      'good',
      'good',
    ]);
    expect([1, 2].map((n) => verdictOf('thumbs', n))).toEqual(['bad', 'good']);
    expect([6, 7, 9].map((n) => verdictOf('nps', n))).toEqual(['detractor', 'passive', 'promoter']);
    expect(isLowScore('five', 2, 2)).toBe(true);
    expect(isLowScore('five', 3, 2)).toBe(false);
    expect(isLowScore('three', 1, 2)).toBe(true);
    expect(isLowScore('thumbs', 2, 2)).toBe(false);
  });

  it('throttles NPS per person', () => {
    const nps = { ...settings.nps, enabled: true };
    const at = (d: number) => new Date(now.getTime() - d * 86_400_000);
    expect(npsDecision(nps, { hasContact: true, optedOut: false, lastAskedAt: at(30) }, now).send).toBe(
      false,
    );
    expect(npsDecision(nps, { hasContact: true, optedOut: false, lastAskedAt: at(91) }, now).send).toBe(true);
  });
});
