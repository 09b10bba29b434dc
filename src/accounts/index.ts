// Owns: the accounts domain's public contract. Other rooms (hosted pages, JSON API,
// verification, password reset, the provider) import from here and nowhere else in
// src/accounts/. See docs/accounts.md for the rules.
export type { Account, AccountsDeps, FieldErrorCode, SignInResult } from './types.ts';
export { AccountInputError, AccountNotFoundError, AlreadyRegisteredError } from './errors.ts';
export { RateLimitedError } from '../domain-error.ts';
export { registerAccount, registerPasswordlessAccount } from './registration.ts';
export { verifyPassword, type SignInAttempt } from './sign-in.ts';
export { findAccountByLogin, findAccountSubByLogin, getAccount, updateProfile } from './profile.ts';
export { changePassword, confirmCurrentPassword, hasPassword, setPassword } from './passwords.ts';
export { markEmailVerified, markPhoneVerified, removeContact, setEmail, setPhoneNumber } from './contacts.ts';
export { normalizeEmail, normalizePhone } from './normalize.ts';
export { deleteAccountRow, deleteUnprovenAccounts, setAccountDisabled } from './account-queries.ts';
export { createFederatedAccount, findAccountByContact, lockAccount, type FederatedProfile } from './federated.ts';
export { accountClaims, displayName } from './claims.ts';
export { contactChangeInput, FIELD_MAX_CHARS, PROFILE_FIELDS, profilePatchInput, registrationInput } from './input.ts';
export { checkPasswordPolicy, PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS } from '../security/password-policy.ts';
export { LOGIN_LIMITS } from '../security/login-throttle.ts';
