/**
 * The dashboard's extension points. A feature lives in `src/features/<area>/` and registers itself from
 * `src/features/<area>/register.ts`, which is discovered automatically (see extensions/load.ts) — no shared
 * file needs editing. Keep register.ts tiny and put screens behind `lazy(() => import(...))` so they cost
 * nothing until opened. Documented in docs/dashboard.md.
 */
import type { Role } from '@shopdesk/contracts';
import type { ComponentType, ReactNode } from 'react';
import type { ContactT, TicketDetailT, TicketSummaryT } from '../lib/api.ts';
import { Registry } from './registry.ts';

/** (d) A top-level screen, optionally with an entry in the left navigation. */
export interface RouteEntry {
  id: string;
  /** Pattern such as `/chat` or `/approvals/:id`; a trailing `/*` matches any rest. */
  path: string;
  component: ComponentType;
  /** Hidden (and not routed) below this role. */
  minRole?: Role;
  nav?: { label: string; icon: ReactNode; order?: number; path?: string };
  order?: number;
}

/** (a) A page under Settings (`/settings/<id>`). */
export interface SettingsPageEntry {
  id: string;
  title: string;
  /** Groups in the settings menu, e.g. 'Workspace', 'Team', 'Channels', 'Commerce', 'Automation'. */
  group: string;
  component: ComponentType;
  minRole?: Role;
  order?: number;
}

export interface CustomerSectionProps {
  contact: ContactT;
  /** The ticket being viewed, when the panel sits beside one. */
  ticket?: TicketDetailT;
}
/** (b) A section of the customer panel beside a ticket (profile, past tickets, orders, returns...). */
export interface CustomerSectionEntry {
  id: string;
  title: string;
  component: ComponentType<CustomerSectionProps>;
  minRole?: Role;
  order?: number;
  /** Start collapsed (the header stays visible). */
  collapsed?: boolean;
  /** Shown only beside tickets this returns true for (voicemail triage: voice tickets). */
  applies?: (ticket: TicketDetailT) => boolean;
}

/** (c) A small badge in the ticket header or in each inbox row (SLA timer, CSAT, channel state...). */
export interface TicketBadgeEntry {
  id: string;
  placement: 'header' | 'list';
  /** Render null when the badge does not apply to this ticket. */
  component: ComponentType<{ ticket: TicketSummaryT | TicketDetailT }>;
  order?: number;
}

/** (c) How a timeline event type renders (e.g. `sla.breached`, `order.refunded`). */
export interface TimelineEventEntry {
  /** The ticket event type this renders. */
  id: string;
  component: ComponentType<{ event: TicketDetailT['events'][number]; ticket: TicketDetailT }>;
  order?: number;
}

/** (c) Extra lines under one message in the timeline (delivery state, download of the original...). */
export interface MessageExtraEntry {
  id: string;
  /** Render null when it does not apply (e.g. another channel). */
  component: ComponentType<{ message: TicketDetailT['messages'][number]; ticket: TicketDetailT }>;
  order?: number;
}

/** (e) A compact control in the top bar, left of the notifications bell (agent status...). */
export interface TopBarItemEntry {
  id: string;
  component: ComponentType;
  minRole?: Role;
  order?: number;
}

export const routes = new Registry<RouteEntry>('routes');
export const settingsPages = new Registry<SettingsPageEntry>('settings');
export const customerSections = new Registry<CustomerSectionEntry>('customer-panel');
export const ticketBadges = new Registry<TicketBadgeEntry>('ticket-badges');
export const timelineEvents = new Registry<TimelineEventEntry>('timeline-events');
export const messageExtras = new Registry<MessageExtraEntry>('message-extras');
export const topBarItems = new Registry<TopBarItemEntry>('top-bar');

export const registerRoute = (e: RouteEntry) => routes.add(e);
export const registerSettingsPage = (e: SettingsPageEntry) => settingsPages.add(e);
export const registerCustomerSection = (e: CustomerSectionEntry) => customerSections.add(e);
export const registerTicketBadge = (e: TicketBadgeEntry) => ticketBadges.add(e);
export const registerTimelineEvent = (e: TimelineEventEntry) => timelineEvents.add(e);
export const registerMessageExtra = (e: MessageExtraEntry) => messageExtras.add(e);
export const registerTopBarItem = (e: TopBarItemEntry) => topBarItems.add(e);
