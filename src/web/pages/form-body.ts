// Owns: parsing the body of our browser forms (urlencoded only, small). Only our routers use
// it: oidc-provider parses its own bodies.
import { bodyParser } from '@koa/bodyparser';

export const formBody = () =>
  bodyParser({
    enableTypes: ['form'],
    formLimit: '32kb',
    // A malformed or oversized body is the browser's fault: a 400, never a 500.
    onError: (_err, ctx) => ctx.throw(400, 'malformed form body'),
  });
