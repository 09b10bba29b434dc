// Owns: the account area for people who come to the IdP directly (/login, /register,
// /account…, /logout in a browser). Not built yet.
import Router from '@koa/router';
import type { AppDeps } from '../app.ts';

export function accountRoutes(_deps: AppDeps): Router {
  return new Router();
}
