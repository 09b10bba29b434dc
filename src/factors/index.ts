// Owns: the factors room's public face: the ways to prove who you are beside a password.
// Each factor keeps its exports in its own block below.

// Passkeys (WebAuthn L2, discoverable credentials with user verification): docs/factors.md.
export { PasskeyError, type PasskeyFailure } from './passkey-errors.ts';
export { issueChallenge as issuePasskeyChallenge, takeChallenge as takePasskeyChallenge } from './passkey-challenges.ts';
export { relyingParty } from './passkey-rp.ts';
export { finishPasskeyRegistration, hasPasskey, listPasskeys, removePasskey, startPasskeyRegistration, PASSKEY_NAME_MAX, type Passkey, type PasskeyDeps } from './passkeys.ts';
export { finishPasskeySignIn, passkeyAuthenticationOptions, startPasskeySignIn, verifyPasskeyAssertion, type PasskeyProof } from './passkey-assertion.ts';
