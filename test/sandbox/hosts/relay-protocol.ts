import type { Endpoint } from './tcp-relay';

/** A request from the sandbox to its relay process, about the relay of one host. */
export type RelayRequest =
  | { id: number; host: string; action: 'open'; listen: Endpoint; upstream: Endpoint }
  | { id: number; host: string; action: 'close' | 'freeze' | 'thaw' | 'cut' };

export interface RelayReply {
  id: number;
  error?: string;
}
