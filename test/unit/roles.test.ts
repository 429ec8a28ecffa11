import { describe, expect, it } from 'vitest';
import { panelRole, type PanelRole } from '../../db/schema/users.ts';
import {
  canChaseTurnout,
  canEditCadres,
  canEditUnits,
  canManageCampaigns,
  canSeeProfiles,
  isDistrictAdmin,
  isUnitBound,
  type Permission,
} from '../../core/roles.ts';

// Who may do what, role by role: district admin, unit admin, partner, viewer.
const table: Array<[string, Permission, Record<PanelRole, boolean>]> = [
  ['run the district (users, audit, jobs, calendar)', isDistrictAdmin, { district_admin: true, unit_admin: false, partner: false, viewer: false }],
  ['see cadre profiles, units and results', canSeeProfiles, { district_admin: true, unit_admin: true, partner: false, viewer: true }],
  ['edit cadres, absences and import the roster', canEditCadres, { district_admin: true, unit_admin: true, partner: false, viewer: false }],
  ['edit units', canEditUnits, { district_admin: true, unit_admin: true, partner: false, viewer: false }],
  ['manage campaigns, templates and alert rules', canManageCampaigns, { district_admin: true, unit_admin: false, partner: false, viewer: false }],
  ['see who has not voted', canChaseTurnout, { district_admin: true, unit_admin: true, partner: false, viewer: false }],
  ['need a unit', isUnitBound, { district_admin: false, unit_admin: true, partner: false, viewer: true }],
];

describe('who may do what', () => {
  it('covers every role', () => {
    for (const [, , row] of table) expect(Object.keys(row).sort()).toEqual([...panelRole.enumValues].sort());
  });

  for (const [what, may, row] of table) {
    it(`only the roles listed may ${what}`, () => {
      const allowed = panelRole.enumValues.filter((role) => may({ role }));
      expect(allowed).toEqual(panelRole.enumValues.filter((role) => row[role]));
    });
  }
});
