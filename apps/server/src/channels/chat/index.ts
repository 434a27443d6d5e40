export { CHAT_EMAIL_FALLBACK_JOB, ChatChannelAdapter, chatEmailFallbackJob } from './chat-adapter.ts';
export type { ChatBackend, DeliveryTarget, VisitorContext } from './ports.ts';
export { VisitorHub } from './visitor-hub.ts';
export { registerVisitorSocket } from './visitor-socket.ts';
export {
  peekVisitorToken,
  signVisitorToken,
  type VisitorClaims,
  verifyVisitorToken,
  visitorTokenKey,
} from './visitor-token.ts';
