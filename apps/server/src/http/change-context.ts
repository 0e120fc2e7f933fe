import type { Response } from 'express';
import type { ChangeContext } from '../events/event-recorder.js';
import { principalOf } from './principal.js';

/** Who is changing something in this request, as change events name it: the key's id, else its name. */
export function changeContextOf(res: Response): ChangeContext {
  const principal = principalOf(res);
  return { actor: principal.id ?? principal.name, requestId: res.locals.requestId };
}
