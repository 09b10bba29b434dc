// Owns: "Not you? Use another account". Shared family phones are common, so the person who is
// signed in is signed out of this browser's IdP session before someone else signs in; the
// interaction is detached from that session so that oidc-provider resumes with a fresh one
// (instead of its own JavaScript logout page for a changed account).
import type { LoadedInteraction } from './interaction-state.ts';

export async function forgetSignedInAccount(loaded: LoadedInteraction): Promise<void> {
  const { provider, interaction } = loaded;
  const sessionUid = interaction.session?.uid;
  if (sessionUid) {
    const session = await provider.Session.findByUid(sessionUid);
    await session?.destroy();
  }
  interaction.session = undefined;
  interaction.grantId = undefined;
  await interaction.persist();
}
