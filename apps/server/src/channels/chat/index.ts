export { CHAT_EMAIL_FALLBACK_JOB, ChatChannelAdapter, chatEmailFallbackJob } from './chat-adapter.ts';
export type { ChatBackend, DeliveryTarget, VisitorContext } from './ports.ts';
export { VisitorHub } from './visitor-hub.ts';
export { MAX_SOCKETS_PER_IP, registerVisitorSocket, TOO_MANY_SOCKETS_CODE } from './visitor-socket.ts';
export {
  peekVisitorToken,
  signVisitorToken,
  VERIFIED_TOKEN_TTL_SECONDS,
  type VisitorClaims,
  verifyVisitorToken,
  visitorTokenKey,
} from './visitor-token.ts';
