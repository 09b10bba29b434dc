// Owns: the factors room's public face. Other rooms import from here only.
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
export { hasTotp, pendingTotpSetup, TOTP_ISSUER, type TotpSetup } from './totp.ts';
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
export { confirmTwoStep, renewRecoveryCodes, turnOffTwoStep, type TwoStepDeps } from './two-step.ts';
