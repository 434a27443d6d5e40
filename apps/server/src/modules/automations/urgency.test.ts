import { describe, expect, it } from 'vitest';
import { test as check, matches, renderTemplate } from './conditions.ts';
import { scoreUrgency } from './urgency.ts';

describe('urgency scorer', () => {
  it('scores an angry chargeback threat as urgent and explains why', () => {
    const r = scoreUrgency(
      'This is the THIRD TIME I am writing. Still waiting for my refund!!! If I do not hear back I will file a chargeback. Absolutely unacceptable.',
    );
    // chargeback 40 + repeated contact 25 + still waiting 20 + negative sentiment 8 + "!!!" 10 = 103 → capped at 100.
    expect(r.score).toBe(100);
    expect(r.level).toBe('urgent');
    expect(r.reasons.map((x) => x.phrase)).toEqual(
      expect.arrayContaining(['chargeback', 'repeated contact', 'still waiting', 'many exclamation marks']),
    );
  });

  it('leaves a polite question alone and lets thanks pull the score down', () => {
    expect(scoreUrgency('Hi! Could you tell me when my order ships? Thanks so much.')).toMatchObject({
      score: 0,
      level: 'none',
    });
    // legal threat 40 + thanks −5 = 35 → elevated only.
    const r = scoreUrgency('Thanks, but my lawyer will look at this.');
    expect(r).toMatchObject({ score: 35, level: 'elevated' });
  });

  it('recognises scam accusations and shouting', () => {
    const r = scoreUrgency('YOU ARE SCAMMERS AND THIEVES, GIVE ME MY MONEY BACK');
    // fraud 35 + refund demand 10 + shouting 10 = 55 → high.
    expect(r).toMatchObject({ score: 55, level: 'high' });
  });
});

describe('automation conditions', () => {
  const facts = {
    status: 'pending',
    tags: ['vip', 'shipping'],
    hoursInStatus: 80,
    subject: 'Where is my parcel?',
    'custom.tier': 'Gold',
  };
  it('evaluates all/any with the usual operators', () => {
    expect(check({ field: 'status', op: 'is', value: 'PENDING' }, facts)).toBe(true);
    expect(check({ field: 'tags', op: 'includes', value: ['vip'] }, facts)).toBe(true);
    expect(check({ field: 'tags', op: 'excludes', value: 'spam' }, facts)).toBe(true);
    expect(check({ field: 'hoursInStatus', op: 'gte', value: 72 }, facts)).toBe(true);
    expect(check({ field: 'subject', op: 'contains', value: 'parcel' }, facts)).toBe(true);
    expect(check({ field: 'custom.tier', op: 'in', value: ['gold', 'platinum'] }, facts)).toBe(true);
    expect(check({ field: 'assigneeId', op: 'absent' }, facts)).toBe(true);
    expect(matches({ all: [{ field: 'status', op: 'is', value: 'pending' }], any: [] }, facts)).toBe(true);
    expect(
      matches(
        {
          all: [{ field: 'status', op: 'is', value: 'pending' }],
          any: [
            { field: 'tags', op: 'includes', value: 'refund' },
            { field: 'hoursInStatus', op: 'lt', value: 10 },
          ],
        },
        facts,
      ),
    ).toBe(false);
  });

  it('renders templates with unknown names left empty', () => {
    expect(
      renderTemplate('Hi {{contact.name}}, about #{{ ticket.id }}{{nope}}.', {
        'contact.name': 'Sam',
        'ticket.id': 7,
      }),
    ).toBe('Hi Sam, about #7.');
  });
});
