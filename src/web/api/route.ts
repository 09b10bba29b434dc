// Owns: the one way a JSON route is declared. A route names its zod schemas (body, query) and
// its answers; the helper validates the input at the edge, hands the handler typed values,
// and records the operation, from which /openapi.json is generated (openapi.ts). A route that
// is not declared here is not described, and the route-coverage test fails.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import type { BearerAuth } from './bearer.ts';
import { ApiError } from './errors.ts';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** A named schema: it becomes components.schemas[name] in the document. */
export type Named = { name: string; schema: z.ZodType };

export type Answer = { description: string; body?: Named | z.ZodType };

export type Operation = {
  method: Method;
  path: string;
  tags: string[];
  summary: string;
  description?: string;
  /** `bearer`: an access token for our own API is checked before anything else is read. */
  auth?: 'bearer';
  body?: Named & {
    required?: boolean;
    /**
     * `domain`: the body is handed on as a plain object and validated by the domain function
     * that owns these fields, with this same schema, so that every bad field is reported at
     * once, including rules across fields (a password may not be the email). Default `edge`.
     */
    validatedBy?: 'edge' | 'domain';
  };
  query?: z.ZodObject;
  responses: Record<string, Answer>;
  /** Development only: not routed, nor described, in production. */
  dev?: boolean;
};

export type Input<O extends Operation> = {
  auth: O['auth'] extends 'bearer' ? BearerAuth : undefined;
  body: O['body'] extends Named ? (O['body']['validatedBy'] extends 'domain' ? Record<string, unknown> : z.output<O['body']['schema']>) : undefined;
  query: O['query'] extends z.ZodObject ? z.output<O['query']> : undefined;
};

const requestBody = (ctx: Context): unknown => (ctx.request as { body?: unknown }).body;

/** The routes of one router and what the document says of them. */
export class ApiRoutes {
  readonly operations: Operation[] = [];

  constructor(
    readonly router: Router,
    private readonly opts: { production: boolean; authenticate: (ctx: Context) => Promise<BearerAuth> },
  ) {}

  add<const O extends Operation>(op: O, handler: (ctx: Context, input: Input<O>) => Promise<void> | void): void {
    if (op.dev && this.opts.production) return;
    this.operations.push(op);
    this.router[op.method](op.path, async (ctx) => {
      const input = { auth: undefined, body: undefined, query: undefined } as { auth: unknown; body: unknown; query: unknown };
      if (op.auth === 'bearer') input.auth = await this.opts.authenticate(ctx);
      if (op.body) {
        const raw = requestBody(ctx) ?? (op.body.required === false ? {} : undefined);
        if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ApiError(400, 'invalid_json');
        input.body = op.body.validatedBy === 'domain' ? raw : op.body.schema.parse(raw);
      }
      if (op.query) input.query = op.query.parse(ctx.query);
      await handler(ctx, input as Input<O>);
    });
  }
}
