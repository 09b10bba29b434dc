// Owns: the admin room's public face: roles and permissions, finding people, what an admin
// does to a person, to apps, APIs and keys (each with its audit event in the same
// transaction), the overview, the admin API resource and the second-factor gate.
export { ADMIN_ROLES, can, grantRole, listAdmins, revokeRole, roleOf, type ActionBy, type AdminRole, type AdminView, type Permission } from './roles.ts';
export { findPersonByLogin, getPerson, isSub, PEOPLE_PAGE_MAX, peopleSearchQuery, searchPeople, SEARCH_MAX_CHARS, type PeoplePage, type Person } from './people.ts';
export { deletePerson, disablePerson, enablePerson, markContactVerified, sendResetLink, signOutPerson, type PersonActionBy } from './actions.ts';
export { createApiResource, createApp, deleteApiResource, rotateAppSecret, rotateKeys, updateApp } from './catalog.ts';
export { overview, type Overview, type Period } from './overview.ts';
export { ADMIN_API_SCOPES, adminApiResource, ensureAdminApi } from './admin-api-resource.ts';
// Two factors proven in one sign-in (RFC 8176 amr): the factors room's rule, used by the console's gate.
export { hasSecondFactor } from '../factors/index.ts';
