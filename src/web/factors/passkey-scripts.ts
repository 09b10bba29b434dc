// Owns: which scripts a page with a passkey control loads, in order: @simplewebauthn/browser's
// bundle (static/webauthn.js, a byte-for-byte copy of its UMD build, checked by a test) and
// ours (static/passkeys.js). Only such pages load them (render.ts `scripts`).
export const PASSKEY_SCRIPTS = ['webauthn.js', 'passkeys.js'];
