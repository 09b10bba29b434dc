// Owns: the accounts domain's public contract. Other rooms (hosted pages, JSON API,
// verification, password reset, admin) import from here and nowhere else in src/accounts/
// (except claims.ts, which the OIDC provider uses). See docs/accounts.md for the rules.
export type { Account, AccountsDeps, FieldErrorCode, SignInResult } from './types.ts';
export { AccountInputError, AccountNotFoundError, AccountRateLimitedError, AlreadyRegisteredError } from './errors.ts';
export { registerAccount } from './registration.ts';
export { verifyPassword } from './sign-in.ts';
export { findAccountByLogin, getAccount, updateProfile } from './profile.ts';
export { changePassword, setPassword } from './passwords.ts';
export { markEmailVerified, markPhoneVerified, setEmail, setPhoneNumber } from './contacts.ts';
export { normalizeEmail, normalizePhone } from './normalize.ts';
export { FIELD_MAX_CHARS } from './input.ts';
export { checkPasswordPolicy, PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS } from '../security/password-policy.ts';
export { LOGIN_LIMITS } from '../security/login-throttle.ts';
