import type { ChatSettingsView, ChatVisitorInfo, UpdateChatSettings } from '@shopdesk/contracts';
import type { z } from 'zod';
import { request } from '../../lib/api.ts';

export type ChatSettingsT = z.output<typeof ChatSettingsView>;
export type UpdateChatSettingsT = z.input<typeof UpdateChatSettings>;
export type ChatVisitorT = z.output<typeof ChatVisitorInfo>;
export type PrechatFieldT = ChatSettingsT['prechatFields'][number];

/** The chat endpoints the dashboard uses (server: modules/chat/chat.routes.ts). */
export const chatApi = {
  settings: () => request<ChatSettingsT>('GET', '/api/v1/chat/settings'),
  update: (body: UpdateChatSettingsT) => request<ChatSettingsT>('PATCH', '/api/v1/chat/settings', body),
  visitor: (ticketId: number) => request<ChatVisitorT>('GET', `/api/v1/chat/tickets/${ticketId}/visitor`),
};
