import { aftershipAdapter } from './aftership/aftership-adapter.ts';
import { CarrierRegistry } from './carrier-adapter.ts';
import { easypostAdapter } from './easypost/easypost-adapter.ts';
import { shippoAdapter } from './shippo/shippo-adapter.ts';

/** Every carrier-tracking provider Shopdesk can poll: adding one is a folder plus one line here. */
export function carrierRegistry(): CarrierRegistry {
  const r = new CarrierRegistry();
  r.register(aftershipAdapter);
  r.register(easypostAdapter);
  r.register(shippoAdapter);
  return r;
}
