// Owns: the HTTP status of each domain error code, one table for pages and JSON alike.
import type { DomainErrorCode } from '../domain-error.ts';

export const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  invalid_request: 400,
  invalid_code: 400,
  already_registered: 409,
  account_not_found: 404,
  rate_limited: 429,
  last_owner: 409,
  not_found: 404,
  forbidden: 403,
  last_way_in: 409,
};
