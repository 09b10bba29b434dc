// Owns: the JSON REST API for first-party apps. Not built yet.
import Router from '@koa/router';
import type { AppDeps } from '../app.ts';

export function apiRoutes(_deps: AppDeps): Router {
  return new Router();
}
