export { RealtimeHub, type SocketIdentity } from './hub.ts';
