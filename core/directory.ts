/**
 * @module
 * Who is who in Lark: the cadre behind an open_id.
 */
import { eq } from 'drizzle-orm';
import { cadres } from '../db/schema/org.ts';
import type { Executor } from './outbox.ts';

export interface ChatIdentity {
  cadreId: number;
  status: (typeof cadres.$inferSelect)['status'];
}

/** The cadre with this Lark open_id, or undefined for someone not registered. */
export async function cadreByOpenId(db: Executor, openId: string): Promise<ChatIdentity | undefined> {
  const [row] = await db.select({ cadreId: cadres.id, status: cadres.status }).from(cadres).where(eq(cadres.larkOpenId, openId));
  return row;
}

/** A department as the Lark contact API returns it (the fields the sync uses). */
export interface DirectoryDepartment {
  department_id: string;
  parent_department_id?: string;
  name: string;
}

/** A user as the Lark contact API returns it (the fields the sync uses). */
export interface DirectoryUser {
  open_id: string;
  user_id?: string;
  name: string;
  mobile?: string;
  employee_no?: string;
  department_ids?: string[];
}

export interface DirectoryPage<T> {
  items: T[];
  hasMore: boolean;
  pageToken?: string;
}

/** Where the directory comes from: the Lark contact API (bot/lark.ts implements it). */
export interface DirectorySource {
  departmentChildren(departmentId: string, pageToken?: string): Promise<DirectoryPage<DirectoryDepartment>>;
  usersInDepartment(departmentId: string, pageToken?: string): Promise<DirectoryPage<DirectoryUser>>;
}

/** Which listing of the directory was being read: a department's sub-departments or its members. */
export interface DirectoryListing {
  kind: 'children' | 'members';
  departmentId: string;
}

/**
 * A page could not be read: nothing was imported. A code with what the operator needs to know
 * (the listing, the page, Lark's reason); the CLI words it.
 */
export class DirectorySyncError extends Error {
  constructor(
    readonly problem: 'page_unreadable' | 'page_token_missing' | 'too_many_pages',
    readonly details: { listing: DirectoryListing; page?: number; reason?: string; max?: number },
    override readonly cause?: unknown,
  ) {
    super(`${problem}: ${details.listing.kind} of ${details.listing.departmentId}${details.page ? `, page ${details.page}` : ''}`);
    this.name = 'DirectorySyncError';
  }
}

export interface DirectorySyncReport {
  departments: number;
  users: number;
  unitsCreated: number;
  unitsUpdated: number;
  cadresLinked: number;
  cadresUnchanged: number;
  /** open_ids of directory users with no cadre in the roster (the roster is imported separately). */
  notInRoster: string[];
  /** open_ids that matched a cadre whose Lark ids another cadre already holds: left alone. */
  conflicts: string[];
}
