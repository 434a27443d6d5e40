import { request } from '../../lib/api.ts';

export type ShipmentT = {
  id: number;
  orderId: number | null;
  carrier: string | null;
  trackingNumber: string;
  status: string;
  subStatus: string | null;
  estimatedDeliveryAt: string | null;
  originalEstimateAt: string | null;
  firstScanAt: string | null;
  deliveredAt: string | null;
  lastEventAt: string | null;
  source: string;
};
export type ScanT = {
  key: string;
  status: string;
  occurredAt: string;
  location: string | null;
  message: string;
};
export type DetectionT = {
  shipmentId: number;
  trackingNumber: string;
  orderId: number | null;
  rule: string;
  detail: string;
  ticketId: number | null;
  detectedAt: string;
};
export type ProblemT = {
  id: number;
  title: string;
  cause: string;
  status: 'open' | 'solved';
  keywords: string[];
  updatesSent: number;
  ticketCount: number;
  createdAt: string;
  solvedAt: string | null;
  ticketIds?: number[];
};
export type ImpactT = {
  tickets: number;
  openTickets: number;
  orders: number;
  atStake: { currency: string; amount: number }[];
};
export type NoticeOutcomeT = {
  status: string;
  reason: string | null;
  ticketId: number;
  contactName: string | null;
  contactEmail: string | null;
  channel: string | null;
};

/** The tracking and problems endpoints (server: modules/tracking, docs/tracking.md). */
export const deliveriesApi = {
  shipments: (status: string) =>
    request<{ items: ShipmentT[] }>(
      'GET',
      `/api/v1/tracking/shipments?limit=200${status ? `&status=${status}` : ''}`,
    ),
  shipment: (id: number) =>
    request<ShipmentT & { history: ScanT[] }>('GET', `/api/v1/tracking/shipments/${id}`),
  detections: () => request<{ items: DetectionT[] }>('GET', '/api/v1/tracking/detections'),
  problems: () => request<{ items: ProblemT[] }>('GET', '/api/v1/problems'),
  problem: (id: number) => request<ProblemT>('GET', `/api/v1/problems/${id}`),
  impact: (id: number) => request<ImpactT>('GET', `/api/v1/problems/${id}/impact`),
  timeline: (id: number) =>
    request<{ items: { at: string; what: string; text: string }[] }>(
      'GET',
      `/api/v1/problems/${id}/timeline`,
    ),
  create: (body: { title: string; cause?: string; ticketIds?: number[]; keywords?: string[] }) =>
    request<ProblemT>('POST', '/api/v1/problems', body),
  link: (id: number, ticketIds: number[]) =>
    request<ProblemT>('POST', `/api/v1/problems/${id}/tickets`, { ticketIds }),
  notify: (id: number, text: string, dryRun: boolean) =>
    request<{ items: NoticeOutcomeT[] }>('POST', `/api/v1/problems/${id}/notify`, { text, dryRun }),
  solve: (id: number, text: string, solveTickets: boolean) =>
    request<ProblemT & { items: NoticeOutcomeT[] }>('POST', `/api/v1/problems/${id}/solve`, {
      text,
      solveTickets,
    }),
};

export const STATUS_LABEL: Record<string, string> = {
  info_received: 'Label created',
  in_transit: 'In transit',
  out_for_delivery: 'Out for delivery',
  failed_attempt: 'Failed attempt',
  available_for_pickup: 'At a pickup point',
  exception: 'Exception',
  delivered: 'Delivered',
  expired: 'Lost',
};

/** "estimate_pushed:2026-12-09" → "Estimate pushed out (2026-12-09)". */
export function ruleLabel(rule: string) {
  const [name, arg] = rule.split(':');
  const words: Record<string, string> = {
    failed_attempt: 'Failed delivery attempt',
    pickup: 'Waiting at a pickup point',
    lost: 'Lost by the carrier',
    exception: 'Carrier exception',
    no_first_scan: 'No first scan',
    in_transit_long: 'In transit too long',
    estimate_passed: 'Estimate passed',
    estimate_pushed: 'Estimate pushed out',
  };
  return `${words[name!] ?? name}${arg ? ` (${arg.replace(/_/g, ' ')})` : ''}`;
}
