// Owns: the connections room's public face (social sign-in: upstream identity providers,
// the linking rule, the trip to an upstream and back). Other rooms import from here only.
export { CONNECTION_TYPES, MARKS, PRESETS } from './presets.ts';
export type { ConnectionType, UpstreamIdentity } from './tables.ts';
export {
  ConnectionInputError,
  createConnection,
  deleteConnection,
  enabledConnections,
  getConnection,
  listConnections,
  redirectUriOf,
  updateConnection,
  type ConnectionRow,
  type ConnectionView,
  type CreateConnectionInput,
  type UpdateConnectionInput,
} from './connections.ts';
export { answeredAttempt, CONNECTION_ERROR_CODES, handleCallback, startAttempt, type Attempt, type ConnectionErrorCode } from './attempts.ts';
export { AttemptUsedError, completeFederatedSignIn, linkIdentity, resolveSignIn, signInMethods, unlinkIdentity, type SignInMethods } from './linking.ts';
export { UpstreamError } from './upstream-error.ts';
export { findConnectionRow } from './queries.ts';
export { hasWayIn, wayInRemainsWithPhone, waysIn } from './ways-in.ts';
