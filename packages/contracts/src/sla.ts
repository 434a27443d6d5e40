import { z } from 'zod';
import { Channel, Id, Timestamp } from './common.ts';
import { Priority, TicketStatus } from './tickets.ts';

const HourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM (00:00–24:00)');
export const CalendarOpenRange = z
  .object({ start: HourMinute, end: HourMinute })
  .refine((r) => r.start < r.end, 'start must be before end');

const Day = z.array(CalendarOpenRange).max(8);
export const CalendarWeeklyHours = z.object({
  mon: Day.optional(),
  tue: Day.optional(),
  wed: Day.optional(),
  thu: Day.optional(),
  fri: Day.optional(),
  sat: Day.optional(),
  sun: Day.optional(),
});

export const CalendarHoliday = z.object({
  date: z.iso.date().describe('YYYY-MM-DD (local date)'),
  yearly: z.boolean().default(false).describe('Repeat every year on this month and day'),
  name: z.string().max(100).optional(),
});

const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'unknown IANA time zone');

export const BusinessCalendarInput = z.object({
  name: z.string().trim().min(1).max(100).default('Business hours'),
  timezone: TimeZone,
  weekly: CalendarWeeklyHours,
  holidays: z.array(CalendarHoliday).max(500).default([]),
});
export type BusinessCalendarInput = z.infer<typeof BusinessCalendarInput>;

export const BusinessCalendar = BusinessCalendarInput.extend({
  id: Id,
  teamId: Id.nullable().describe('null: the workspace calendar; otherwise the calendar of one team'),
  updatedAt: Timestamp,
});
export type BusinessCalendar = z.infer<typeof BusinessCalendar>;

export const BusinessCalendarStatus = z.object({
  open: z.boolean(),
  nextOpenAt: Timestamp.nullable(),
  timezone: z.string().nullable(),
});

export const SlaMetric = z.enum(['first_response', 'next_response', 'resolution']);
export type SlaMetric = z.infer<typeof SlaMetric>;

export const SlaTarget = z.object({
  minutes: z.number().int().min(1).max(525_600),
  business: z.boolean().default(true).describe('Count business hours only (else calendar time)'),
});

export const SlaPolicyInput = z.object({
  name: z.string().trim().min(1).max(100),
  active: z.boolean().default(true),
  position: z.number().int().min(0).max(10_000).optional().describe('Lower is checked first; default: last'),
  match: z
    .object({
      channels: z.array(Channel).max(20).optional(),
      priorities: z.array(Priority).max(4).optional(),
      tags: z.array(z.string().max(64)).max(50).optional().describe('Ticket has any of these tags'),
      tiers: z
        .array(z.string().max(64))
        .max(20)
        .optional()
        .describe('Customer tier: the contact has this tag or customFields.tier equals it'),
      minLifetimeValue: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe(
          "The customer's lifetime order value from the store (minor units, orders less refunds) at least this",
        ),
    })
    .default({}),
  targets: z.object({
    firstResponse: SlaTarget.nullable().optional(),
    nextResponse: SlaTarget.nullable().optional(),
    resolution: SlaTarget.nullable().optional(),
  }),
  pauseStatuses: z.array(z.enum(['pending', 'on-hold'])).default(['pending', 'on-hold']),
  warnPercent: z.number().int().min(1).max(99).default(75),
  applyToOpenTickets: z
    .boolean()
    .optional()
    .describe(
      'Time the open tickets from their own start (a ticket waiting for days is breached at once). By default a policy applies from when it is created, so old tickets are not breached retroactively',
    ),
});
export type SlaPolicyInput = z.infer<typeof SlaPolicyInput>;

export const SlaPolicy = SlaPolicyInput.omit({ applyToOpenTickets: true }).extend({
  id: Id,
  appliesFrom: Timestamp.nullable().describe('Clocks tick from this time on; null: from each ticket’s start'),
  position: z.number().int(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type SlaPolicy = z.infer<typeof SlaPolicy>;

export const ReorderSlaPolicies = z.object({ ids: z.array(Id).min(1).max(500) });

export const SlaClockState = z.enum(['running', 'paused', 'met', 'breached']);
export const SlaClock = z.object({
  metric: SlaMetric,
  cycle: z.number().int(),
  state: SlaClockState,
  targetMinutes: z.number().int(),
  business: z.boolean(),
  startedAt: Timestamp,
  dueAt: Timestamp.nullable(),
  completedAt: Timestamp.nullable(),
  elapsedMinutes: z.number(),
  remainingMinutes: z.number().nullable().describe('Open minutes left until due; negative once breached'),
  warned: z.boolean(),
});
export type SlaClock = z.infer<typeof SlaClock>;

export const SlaOutcome = z.object({
  metric: SlaMetric,
  cycle: z.number().int().describe('Next response: the reply cycle; resolution: 0, then one per reopen'),
  outcome: z.enum(['met', 'breached']),
  policy: z
    .object({ id: Id.nullable().describe('null once the policy was deleted'), name: z.string() })
    .describe('The policy that applied when the outcome was recorded'),
  targetMinutes: z.number().int(),
  business: z.boolean(),
  startedAt: Timestamp,
  dueAt: Timestamp.nullable(),
  at: Timestamp.describe('Met: when the target was reached; breached: when its due time passed'),
});
export type SlaOutcome = z.infer<typeof SlaOutcome>;

export const TicketSla = z.object({
  ticketId: Id,
  policy: z.object({ id: Id, name: z.string() }).nullable(),
  status: TicketStatus,
  nextDueAt: Timestamp.nullable(),
  breached: z.boolean(),
  clocks: z.array(SlaClock),
  outcomes: z
    .array(SlaOutcome)
    .describe('The achievement record: each target met or breached, kept as it was whatever changes later'),
});
export type TicketSla = z.infer<typeof TicketSla>;

export const SlaReportQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export const SlaReport = z.object({
  from: Timestamp,
  to: Timestamp,
  metrics: z.array(
    z.object({
      metric: SlaMetric,
      completed: z.number().int(),
      met: z.number().int(),
      breached: z.number().int(),
      compliancePercent: z.number().nullable(),
      openBreached: z.number().int().describe('Still running and already past due'),
    }),
  ),
});
