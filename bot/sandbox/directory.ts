/**
 * @module
 * The sandbox's directory for the demo: the fictional 青禾区 as Lark departments and users,
 * with the same open_ids, user ids, employee numbers and mobiles as the demo cadres, so a
 * directory sync in the demo links everyone.
 */
import { DEMO_UNITS, demoCadres } from '../../core/demo.ts';
import type { LarkDepartment } from '../lark.ts';
import type { SandboxUser } from './state.ts';

export function demoDirectory(): { departments: LarkDepartment[]; users: SandboxUser[] } {
  // The district itself is the tenant (department "0"); its units are the top departments.
  const departmentId = (key: string) => (key === 'district' ? '0' : `qh-${key}`);
  const departments = DEMO_UNITS.filter((u) => u.key !== 'district').map((u, i) => ({
    department_id: departmentId(u.key),
    open_department_id: `od-${u.key}`,
    parent_department_id: departmentId(u.parent ?? 'district'),
    name: u.name,
    order: String(i),
  }));
  const users = demoCadres().map((c) => ({
    open_id: c.larkOpenId!,
    user_id: c.larkUserId!,
    union_id: `on_${c.larkOpenId!.slice(3)}`,
    name: c.name,
    mobile: `+86${c.mobile}`,
    employee_no: c.employeeNo!,
    department_ids: [departmentId(c.unitKey)],
    job_title: c.position,
    gender: c.gender === 'male' ? 1 : 2,
  }));
  return { departments, users };
}
