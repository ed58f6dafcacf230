import type { Grade } from './grades.ts';

export const ROLES = ['patient', 'professional', 'ops'] as const;

/** Who an account is: patients open cases, professionals answer them, ops run the platform. */
export type Role = (typeof ROLES)[number];

/** The verified caller of a request, read from its access token. */
export interface Principal {
  /** The account id (`sub`). */
  id: string;
  role: Role;
  /** A verified professional's grade; absent for others and for professionals not yet verified. */
  grade?: Grade;
  /** Whether this session was opened with a second factor (TOTP). */
  mfa: boolean;
  /** The session (refresh-token family) the token belongs to. */
  sessionId: string;
}

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by `authenticate()`; absent on routes that do not require a signed-in caller. */
    principal: Principal;
  }
}
