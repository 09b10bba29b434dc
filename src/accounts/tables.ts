// Owns: kysely types of the tables created by migrations/0002_account_security.ts.
// (The accounts table itself is in src/db/schema.ts, created by 0001.)

/** Failed sign-in counters (src/security/login-throttle.ts); shape set by rate-limiter-flexible. */
export interface LoginThrottleTable {
  key: string;
  points: number;
  /** Epoch milliseconds; null = never expires (we always set one). */
  expire: number | null;
}

export interface AccountSecurityTables {
  login_throttle: LoginThrottleTable;
}
