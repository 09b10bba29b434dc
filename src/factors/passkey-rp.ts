// Owns: who we are to WebAuthn: the relying party ID (the issuer's host name) and the one
// origin a ceremony may come from (the issuer's origin). Both follow ISSUER, so a passkey made
// at https://id.example.ws works on every process behind that name and nowhere else. Also
// where @simplewebauthn/server is loaded: on first use, not at start (it is the largest
// module tree we have, about a second of start-up on a small machine, for a ceremony most
// processes see rarely).
import type { Config } from '../config.ts';

export const webauthn = () => import('@simplewebauthn/server');

export const RP_NAME = 'Bytewatchers ID';

export function relyingParty(config: Pick<Config, 'issuer'>): { rpID: string; origin: string } {
  const url = new URL(config.issuer);
  return { rpID: url.hostname, origin: url.origin };
}
