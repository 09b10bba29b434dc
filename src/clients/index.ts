// Owns: the clients room's public face for branding (issue 13, item 6). The admin console
// calls setClientBranding; the consent page and the logo route read the rest.
export {
  findClientLogo,
  getClientBranding,
  initialOf,
  LOGO_SIZE,
  prepareBranding,
  setClientBranding,
  storeBranding,
  webAddressOf,
  type BrandingDeps,
  type BrandingInput,
  type ClientBranding,
  type PreparedBranding,
} from './branding.ts';
export { LOGO_CONTENT_TYPES, LOGO_LIMITS } from './logo-fetch.ts';
export { ClientInputError } from './clients.ts';
