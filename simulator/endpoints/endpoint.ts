import type { Reply, SimRequest } from '../http-io';
import type { SimulatorState } from '../state';
import type { ApiName } from '../types';

/** One WeChat API the simulator answers. The server counts the request, applies faults, checks the access token, then calls handle. */
export interface Endpoint {
  method: 'GET' | 'POST';
  path: string;
  api: ApiName;
  /** Whether the API takes `?access_token=` (checked before handle: 41001, 40014, 40001, 42001). */
  needsToken: boolean;
  /** The AppID the request is for, when the request itself names it (the token's otherwise). */
  appIdOf?(req: SimRequest): string | undefined;
  /** The field that may carry a `fault_<fault>_<nonce>` code. */
  faultCode?(req: SimRequest): string | null;
  /** Bookkeeping done for every request received, before faults (extra counters, received codes). */
  received?(state: SimulatorState, req: SimRequest, appId: string | undefined): void;
  /** `appId`: the app of a valid access token, or the request's own for APIs without one. */
  handle(state: SimulatorState, req: SimRequest, appId: string | undefined): Reply;
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
