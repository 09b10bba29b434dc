// Owns: whether a session proved a second factor, for the console's gate. Interim: two-step
// verification and passkeys (built in parallel) will expose hasSecondFactor(amr) from
// src/factors; at merge this file's body becomes a re-export of that one, and nothing else
// changes. RFC 8176 values: mfa, otp (TOTP), hwk / swk (a hardware or software key).
const SECOND_FACTOR_AMR = new Set(['mfa', 'otp', 'hwk', 'swk']);

export const hasSecondFactor = (amr: readonly string[] | undefined): boolean => (amr ?? []).some((m) => SECOND_FACTOR_AMR.has(m));
