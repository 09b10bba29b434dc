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
