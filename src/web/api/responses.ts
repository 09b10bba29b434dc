// Owns: the answers the JSON routes share in the document (errors by status, the profile).
import { errorSchema, profileSchema, tokenResponse } from './schemas.ts';
import type { Answer, Named } from './route.ts';

export const ERROR: Named = { name: 'Error', schema: errorSchema };
export const PROFILE: Named = { name: 'Profile', schema: profileSchema };
export const TOKENS: Named = { name: 'TokenResponse', schema: tokenResponse };

export const error = (description: string): Answer => ({ description, body: ERROR });

export const E400 = error('Invalid input (`invalid_request` with `fields`, or `invalid_json`).');
export const E401 = error('Missing, invalid, expired or revoked access token (`invalid_token`, RFC 6750).');
export const E429 = error('Too many requests (`rate_limited`); see Retry-After.');
