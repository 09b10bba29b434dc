// Example SPA: oidc-client-ts (code + PKCE, a public client without a secret), userinfo read
// from the browser (CORS is allowed from the origin of the app's redirect URI), a silent
// refresh with the refresh token, and sign-out through the IdP.
/* global oidc, document, window */
const $ = (id) => document.getElementById(id);

async function main() {
  const { issuer, clientId, appUrl } = await (await fetch('/config.json')).json();
  const mgr = new oidc.UserManager({
    authority: issuer,
    client_id: clientId,
    redirect_uri: `${appUrl}/callback`,
    post_logout_redirect_uri: `${appUrl}/`,
    response_type: 'code',
    scope: 'openid profile email phone offline_access',
    // Refresh explicitly (the button) so the example shows it; signinSilent() uses the refresh token.
    automaticSilentRenew: false,
    userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
  });

  if (window.location.pathname === '/callback') {
    await mgr.signinRedirectCallback();
    window.history.replaceState({}, '', '/');
  }

  async function showUserinfo(user) {
    // Profile, email and phone claims come from userinfo, read with the access token.
    const endpoint = await mgr.metadataService.getUserInfoEndpoint();
    const res = await fetch(endpoint, { headers: { authorization: `Bearer ${user.access_token}` } });
    if (!res.ok) throw new Error(`userinfo: ${res.status}`);
    $('userinfo').textContent = JSON.stringify(await res.json(), null, 2);
  }

  const user = await mgr.getUser();
  if (!user || user.expired && !user.refresh_token) {
    $('status').textContent = 'You are not signed in.';
    $('login').hidden = false;
    $('login').onclick = () => mgr.signinRedirect();
    return;
  }
  $('status').textContent = `Signed in as ${user.profile.sub}.`;
  $('signed-in').hidden = false;
  await showUserinfo(user);

  let refreshes = 0;
  $('refresh').onclick = async () => {
    try {
      const before = (await mgr.getUser())?.access_token;
      const renewed = await mgr.signinSilent(); // refresh_token grant; the refresh token rotates
      if (!renewed || renewed.access_token === before) throw new Error('no new access token');
      refreshes += 1;
      await showUserinfo(renewed);
      $('refreshed').textContent = `Tokens refreshed at ${new Date().toISOString()} (${refreshes} time(s)).`;
    } catch (err) {
      $('error').textContent = String(err);
    }
  };
  $('logout').onclick = () => mgr.signoutRedirect(); // sends id_token_hint and post_logout_redirect_uri
}

main().catch((err) => {
  $('error').textContent = String(err);
});
