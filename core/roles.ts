/**
 * @module
 * Who may do what in the panel, in one place. Pages, guards and the menu ask these predicates
 * instead of comparing role names, so a permission changes here and everywhere at once. What a
 * permitted person then sees is narrowed further by their scope (`core/org/scope.ts`).
 * @example if (canEditCadres(c.var.user)) …;  app.use('*', requireRole(canSeeProfiles))
 */
import type { PanelRole } from '../db/schema/users.ts';

/** Anything that has a role: a panel user, an actor, or a form's chosen role. */
export type RoleHolder = { role: PanelRole };
/** Roles that share a permission; the menu lists them on its entries. */
export type RoleGroup = readonly PanelRole[];
export type Permission = (actor: RoleHolder) => boolean;

export const DISTRICT_ADMINS: RoleGroup = ['district_admin'];
export const ADMINS: RoleGroup = ['district_admin', 'unit_admin'];
/** Partners (partner departments) are left out: they see no cadre profiles at all. */
export const READERS: RoleGroup = ['district_admin', 'unit_admin', 'viewer'];
/** Roles whose scope is a unit, so a user of them needs one. */
export const UNIT_BOUND: RoleGroup = ['unit_admin', 'viewer'];

const heldBy =
  (group: RoleGroup): Permission =>
  (actor) =>
    group.includes(actor.role);

/** Sees the whole district; runs users, the audit log, jobs, the work calendar and the chat simulator. */
export const isDistrictAdmin = heldBy(DISTRICT_ADMINS);
/** Reads cadre lists and profiles, units, campaigns and their results (within scope). */
export const canSeeProfiles = heldBy(READERS);
/** Edits cadre records and absences and imports the roster (within scope). */
export const canEditCadres = heldBy(ADMINS);
/** Creates, renames and moves units (within scope). */
export const canEditUnits = heldBy(ADMINS);
/** Creates and runs evaluation campaigns, their templates and alert rules. */
export const canManageCampaigns = heldBy(DISTRICT_ADMINS);
/** Sees who has not yet voted, to chase them; seeing it is audited. */
export const canChaseTurnout = heldBy(ADMINS);
/** Mentorship (师徒结对): admins create and edit pairs that touch their units; readers read. */
export const canManagePairs = heldBy(ADMINS);
/** The review inbox (审阅): read by the readers, acted on (read, comment, accept, decline) by admins. */
export const canReadInbox = heldBy(READERS);
export const canActOnInbox = heldBy(ADMINS);
/** Needs a unit: without one, the role would see nothing. */
export const isUnitBound = heldBy(UNIT_BOUND);
