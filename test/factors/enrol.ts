// Turning on two-step verification for a test account the way the pages do (setup, then a code
// from the app), and computing the app's codes from the secret with otplib. Not a test file.
import { generate } from 'otplib';
import { getAccount } from '../../src/accounts/index.ts';
import type { Deps } from '../../src/deps.ts';
import { confirmTwoStep, pendingTotpSetup } from '../../src/factors/index.ts';

/**
 * The app's code `steps` periods from now. Codes are accepted one step either side and never
 * twice, so tests use step 0 once and step +1 once (either stays valid across a step boundary).
 */
export const appCode = (secret: string, steps = 0) => generate({ secret: secret.replace(/\s+/g, ''), epoch: Math.floor(Date.now() / 1000) + steps * 30 });

export async function enrolTotp(deps: Omit<Deps, 'runtime'>, sub: string): Promise<{ secret: string; codes: string[] }> {
  const account = await getAccount(deps, sub);
  if (!account) throw new Error(`no account ${sub}`);
  const setup = await pendingTotpSetup(deps, sub, account.email ?? sub);
  if (!setup) throw new Error('already enrolled');
  const secret = setup.secretText.replace(/\s+/g, '');
  const codes = await confirmTwoStep(deps, account, await appCode(secret), { origin: {} });
  if (!codes) throw new Error('enrolment code refused');
  return { secret, codes };
}
