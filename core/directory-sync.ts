/**
 * @module
 * Imports the Lark directory: departments become units (matched by Lark department id, else by
 * name under the same parent) and users are linked to the cadres of the roster (matched by Lark
 * user id, employee number or mobile). Every page is read first, by hand, and the import is one
 * transaction: a page that fails stops everything with a clear error, never a silent partial
 * import. The roster stays the authority on who is a cadre: directory users not in it are
 * reported, not invented (the roster carries birth dates and ranks Lark does not know).
 */
import { asc, eq } from 'drizzle-orm';
import { cadres, units, type Unit } from '../db/schema/org.ts';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';
import {
  DirectorySyncError,
  type DirectoryDepartment,
  type DirectoryPage,
  type DirectorySource,
  type DirectorySyncReport,
  type DirectoryListing,
  type DirectoryUser,
} from './directory.ts';

const ROOT = '0';
const MAX_PAGES = 10_000;

async function allPages<T>(listing: DirectoryListing, read: (pageToken?: string) => Promise<DirectoryPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let pageToken: string | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    let result: DirectoryPage<T>;
    try {
      result = await read(pageToken);
    } catch (error) {
      throw new DirectorySyncError('page_unreadable', { listing, page, reason: (error as Error).message }, error);
    }
    items.push(...result.items);
    if (!result.hasMore) return items;
    if (!result.pageToken) throw new DirectorySyncError('page_token_missing', { listing, page });
    pageToken = result.pageToken;
  }
  throw new DirectorySyncError('too_many_pages', { listing, max: MAX_PAGES });
}

/** Reads the whole tree: departments parents-first, and each user once. */
export async function readDirectory(source: DirectorySource): Promise<{ departments: DirectoryDepartment[]; users: DirectoryUser[] }> {
  const departments: DirectoryDepartment[] = [];
  const queue = [ROOT];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const id = queue.shift()!;
    const children = await allPages({ kind: 'children', departmentId: id }, (token) => source.departmentChildren(id, token));
    for (const child of children) {
      if (seen.has(child.department_id)) continue;
      seen.add(child.department_id);
      departments.push({ ...child, parent_department_id: child.parent_department_id ?? id });
      queue.push(child.department_id);
    }
  }
  const users = new Map<string, DirectoryUser>();
  for (const id of [ROOT, ...departments.map((d) => d.department_id)]) {
    const members = await allPages({ kind: 'members', departmentId: id }, (token) => source.usersInDepartment(id, token));
    for (const user of members) if (!users.has(user.open_id)) users.set(user.open_id, user);
  }
  return { departments, users: [...users.values()] };
}

/** 13800138000 from +86 138 0013 8000 and the like. */
export function normalizeMobile(mobile: string | null | undefined): string | undefined {
  if (!mobile) return undefined;
  let digits = mobile.replace(/\D/g, '');
  if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  return digits || undefined;
}

function kindOf(name: string): Unit['kind'] {
  if (name.endsWith('街道')) return 'subdistrict';
  if (/园区|开发区|产业园/.test(name)) return 'park';
  if (name.endsWith('局')) return 'bureau';
  return 'office';
}

export async function syncDirectory(db: Db, source: DirectorySource, options: { actorId: number | null; rootName?: string }): Promise<DirectorySyncReport> {
  const directory = await readDirectory(source);
  return db.transaction(async (tx) => {
    const report: DirectorySyncReport = {
      departments: directory.departments.length,
      users: directory.users.length,
      unitsCreated: 0,
      unitsUpdated: 0,
      cadresLinked: 0,
      cadresUnchanged: 0,
      notInRoster: [],
      conflicts: [],
    };

    // Units. Department "0" is the organization itself: the root unit.
    const existing = await tx.select().from(units).orderBy(asc(units.id));
    let root = existing.find((u) => u.parentId === null);
    if (!root) {
      [root] = await tx.insert(units).values({ name: options.rootName ?? '组织架构', kind: 'district' }).returning();
      report.unitsCreated++;
    }
    const unitOf = new Map<string, number>([[ROOT, root!.id]]);
    const byLarkId = new Map(existing.filter((u) => u.larkDepartmentId).map((u) => [u.larkDepartmentId!, u]));
    for (const [order, dept] of directory.departments.entries()) {
      const parentId = unitOf.get(dept.parent_department_id ?? ROOT) ?? root!.id;
      const match =
        byLarkId.get(dept.department_id) ??
        existing.find((u) => u.larkDepartmentId === null && u.parentId === parentId && u.name === dept.name);
      if (match) {
        if (match.larkDepartmentId !== dept.department_id || match.name !== dept.name || match.parentId !== parentId) {
          await tx.update(units).set({ larkDepartmentId: dept.department_id, name: dept.name, parentId, updatedAt: new Date() }).where(eq(units.id, match.id));
          match.larkDepartmentId = dept.department_id;
          report.unitsUpdated++;
        }
        unitOf.set(dept.department_id, match.id);
      } else {
        const [created] = await tx
          .insert(units)
          .values({ name: dept.name, kind: kindOf(dept.name), parentId, larkDepartmentId: dept.department_id, sortOrder: 1000 + order })
          .returning({ id: units.id });
        unitOf.set(dept.department_id, created!.id);
        report.unitsCreated++;
      }
    }

    // Cadres: link, never invent.
    const roster = await tx.select({ id: cadres.id, larkOpenId: cadres.larkOpenId, larkUserId: cadres.larkUserId, employeeNo: cadres.employeeNo, mobile: cadres.mobile }).from(cadres);
    const byUserId = new Map(roster.filter((c) => c.larkUserId).map((c) => [c.larkUserId!, c]));
    const byEmployeeNo = new Map(roster.filter((c) => c.employeeNo).map((c) => [c.employeeNo!, c]));
    const byMobile = new Map(roster.filter((c) => c.mobile).map((c) => [normalizeMobile(c.mobile)!, c]));
    const byOpenId = new Map(roster.filter((c) => c.larkOpenId).map((c) => [c.larkOpenId!, c]));
    for (const user of directory.users) {
      const cadre =
        (user.user_id ? byUserId.get(user.user_id) : undefined) ??
        (user.employee_no ? byEmployeeNo.get(user.employee_no) : undefined) ??
        (normalizeMobile(user.mobile) ? byMobile.get(normalizeMobile(user.mobile)!) : undefined) ??
        byOpenId.get(user.open_id);
      if (!cadre) {
        report.notInRoster.push(user.open_id);
        continue;
      }
      const userId = user.user_id ?? cadre.larkUserId;
      if (cadre.larkOpenId === user.open_id && cadre.larkUserId === userId) {
        report.cadresUnchanged++;
        continue;
      }
      const holder = byOpenId.get(user.open_id);
      const userIdHolder = userId ? byUserId.get(userId) : undefined;
      if ((holder && holder.id !== cadre.id) || (userIdHolder && userIdHolder.id !== cadre.id)) {
        report.conflicts.push(user.open_id);
        continue;
      }
      await tx.update(cadres).set({ larkOpenId: user.open_id, larkUserId: userId, updatedAt: new Date() }).where(eq(cadres.id, cadre.id));
      if (cadre.larkOpenId) byOpenId.delete(cadre.larkOpenId);
      byOpenId.set(user.open_id, { ...cadre, larkOpenId: user.open_id });
      report.cadresLinked++;
    }

    await audit(tx, {
      actorId: options.actorId,
      action: 'import',
      entity: 'lark_directory',
      diff: { ...report, notInRoster: report.notInRoster.length, conflicts: report.conflicts.length },
    });
    return report;
  });
}
