// Owns: the factors room's public face: ways to prove who someone is beyond a password (sign-in
// codes, authenticator apps and recovery codes, passkeys). Each idea has its own block below.

// Sign-in codes (sign-in-codes.ts) and the single-segment SMS rule (sms-segments.ts).
export {
  checkSignInCode,
  codeAmr,
  codeTarget,
  isSmsCapable,
  requestSignInCode,
  signInWithCode,
  useSignInCode,
  SIGN_IN_CODE_TTL_SECONDS,
  type CodeChannel,
  type CodeCheck,
  type CodeRequestSource,
  type CodeSignIn,
  type CodeTarget,
  type SignInCodeDeps,
} from './sign-in-codes.ts';
export { fitsOneSegment, isGsm7, smsLength, smsParts, withOriginBoundLine } from './sms-segments.ts';

// Two-step verification (authenticator app, recovery codes, what apps see: amr/acr):
export {
  ACR_ONE_FACTOR,
  ACR_TWO_FACTOR,
  ACR_VALUES,
  acrFor,
  acrValuesWantTwoFactors,
  checkSecondFactor,
  hasSecondFactor,
  requestWantsTwoFactors,
  secondFactorsOf,
  withSecondFactor,
  type EnrolledFactor,
  type SecondFactorCheck,
  type SecondFactorDeps,
  type SecondFactorKind,
} from './second-factor-policy.ts';
export { ABANDONED_TOTP_SETUP_HOURS, hasTotp, pendingTotpSetup, purgeAbandonedTotpSetups, TOTP_ISSUER, type TotpSetup } from './totp.ts';
export { RECOVERY_CODE_COUNT, recoveryCodesLeft } from './recovery-codes.ts';
export {
  findPendingSignIn,
  holdSignIn,
  interactionKey,
  MFA_TOKEN_TTL_SECONDS,
  mfaTokenKey,
  newMfaToken,
  purgeExpiredPendingSignIns,
  takePendingSignIn,
  dropPendingSignIn,
  type PendingSignIn,
} from './pending-sign-ins.ts';
export {
  confirmTwoStep,
  finishTwoStepSetup,
  renewRecoveryCodes,
  startTwoStepSetup,
  turnOffTwoStep,
  type ChangeProof,
  type SessionContext,
  type SetupOutcome,
  type TwoStepDeps,
} from './two-step.ts';
export { isRecentSignIn, proofNeeded, RecentSignInRequiredError, RECENT_SIGN_IN_SECONDS, refusalReason, SETUP_PASS_SECONDS, type OwnerProof, type ProofNeeded } from './owner-proof.ts';


// Passkeys (WebAuthn L2, discoverable credentials with user verification): docs/factors.md.
export { PasskeyError, type PasskeyFailure } from './passkey-errors.ts';
export { issueChallenge as issuePasskeyChallenge, takeChallenge as takePasskeyChallenge } from './passkey-challenges.ts';
export { relyingParty } from './passkey-rp.ts';
export { finishPasskeyRegistration, hasPasskey, listPasskeys, removePasskey, startPasskeyRegistration, PASSKEY_NAME_MAX, type Passkey, type PasskeyDeps, type PasskeyOwner, type PasskeyRemoval } from './passkeys.ts';
export { finishPasskeySignIn, passkeyAuthenticationOptions, startPasskeySignIn, verifyPasskeyAssertion, type PasskeyProof } from './passkey-assertion.ts';

// An administrator removing a person's second factor (src/web/admin).
export { removeFactorAsAdmin, type FactorRemoval } from './removal-by-admin.ts';
