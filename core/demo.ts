/**
 * @module
 * The demo district: a fictional 青禾区 with 13 units and 300 invented cadres, generated from a
 * fixed seed so every demo and every test sees the same people. No real person is named:
 * names are drawn from common surnames and given-name characters.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { cadres, units, type NewCadre } from '../db/schema/org.ts';
import type { Db } from '../db/client.ts';
import { audit } from './audit.ts';

/** A small, fast, deterministic generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文';
const GIVEN_MALE = '伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林晨阳峰建志国春东海振锋毅博文昊';
const GIVEN_FEMALE = '芳娜敏静丽艳娟霞秀英慧玲婷雪琳颖洁倩璐萍红梅琴云莉蕾晶瑶佳欣悦怡岚薇雯馨蓉';

export type DemoUnit = { key: string; name: string; kind: 'district' | 'subdistrict' | 'park' | 'bureau' | 'office'; parent?: string };

export const DEMO_UNITS: DemoUnit[] = [
  { key: 'district', name: '青禾区', kind: 'district' },
  { key: 'org', name: '区委组织部', kind: 'office', parent: 'district' },
  { key: 'drc', name: '区发展和改革局', kind: 'bureau', parent: 'district' },
  { key: 'finance', name: '区财政局', kind: 'bureau', parent: 'district' },
  { key: 'housing', name: '区住房和城乡建设局', kind: 'bureau', parent: 'district' },
  { key: 'education', name: '区教育和体育局', kind: 'bureau', parent: 'district' },
  { key: 'health', name: '区卫生健康局', kind: 'bureau', parent: 'district' },
  { key: 'dongshan', name: '东山街道', kind: 'subdistrict', parent: 'district' },
  { key: 'xihe', name: '西河街道', kind: 'subdistrict', parent: 'district' },
  { key: 'nanhu', name: '南湖街道', kind: 'subdistrict', parent: 'district' },
  { key: 'beiling', name: '北岭街道', kind: 'subdistrict', parent: 'district' },
  { key: 'devzone', name: '青禾经济开发区', kind: 'park', parent: 'district' },
  { key: 'techpark', name: '滨海科技产业园', kind: 'park', parent: 'district' },
];

const LEADER_TITLES: Record<DemoUnit['kind'], { principal: string[]; deputy: string[] }> = {
  district: { principal: ['区委书记', '区长'], deputy: ['区委副书记', '常务副区长', '副区长', '区委常委、组织部部长', '区委常委、宣传部部长'] },
  office: { principal: ['部长'], deputy: ['常务副部长', '副部长', '副部长'] },
  bureau: { principal: ['党组书记、局长'], deputy: ['党组成员、副局长', '副局长', '副局长', '总工程师'] },
  subdistrict: { principal: ['党工委书记', '办事处主任'], deputy: ['党工委副书记', '副主任', '副主任', '党工委委员、武装部部长', '纪工委书记'] },
  park: { principal: ['党工委书记', '管委会主任'], deputy: ['管委会副主任', '管委会副主任', '招商局局长'] },
};
const STAFF_POSITIONS = ['科长', '副科长', '综合科科员', '办公室主任', '业务科科员', '信息中心主任', '网格管理员', '项目专员', '党建办干事', '财务科科员'];
const STAFF_RANKS = ['一级主任科员', '二级主任科员', '三级主任科员', '四级主任科员', '一级科员', '二级科员'];
const EDUCATION = ['大学本科', '大学本科', '大学本科', '硕士研究生', '硕士研究生', '大专', '博士研究生'];
const FIELDS = ['经济管理', '城市建设', '法律', '财政金融', '党建', '社会治理', '教育', '卫生健康', '信息技术', '招商引资', '规划设计', '应急管理'];
const TAGS = ['优秀年轻干部', '专业化干部', '后备干部', '挂职锻炼', '导师'];

export const DEMO_CADRE_COUNT = 300;

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function birthDate(random: () => number, fromYear: number, toYear: number): string {
  const year = fromYear + Math.floor(random() * (toYear - fromYear + 1));
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Lark open_ids look like `ou_` and 32 hex digits; the demo ones are derived from the index. */
export function demoOpenId(index: number): string {
  return `ou_${createHash('md5').update(`miaopu-demo-${index}`).digest('hex')}`;
}

/** The demo cadres, unit by unit; `unitKey` refers to DEMO_UNITS. */
export function demoCadres(): Array<Omit<NewCadre, 'unitId'> & { unitKey: string }> {
  const random = seededRandom(20261125);
  const usedNames = new Set<string>();
  const people: Array<Omit<NewCadre, 'unitId'> & { unitKey: string }> = [];
  // The district's own leaders, then an even share of the rest per unit.
  const perUnit = DEMO_UNITS.map((u) => ({ unit: u, count: u.kind === 'district' ? 8 : 0 }));
  let remaining = DEMO_CADRE_COUNT - 8;
  for (let i = 1; remaining > 0; i = (i % (DEMO_UNITS.length - 1)) + 1, remaining--) perUnit[i]!.count++;

  for (const { unit, count } of perUnit) {
    const titles = LEADER_TITLES[unit.kind];
    const leaderCount = unit.kind === 'district' ? count : Math.min(count, titles.principal.length + titles.deputy.length);
    for (let k = 0; k < count; k++) {
      const index = people.length + 1;
      const gender = random() < 0.62 ? 'male' : 'female';
      let name: string;
      do {
        const pool = gender === 'male' ? GIVEN_MALE : GIVEN_FEMALE;
        const given = random() < 0.7 ? pick(random, [...pool]) + pick(random, [...pool]) : pick(random, [...pool]);
        name = pick(random, [...SURNAMES]) + given;
      } while (usedNames.has(name));
      usedNames.add(name);

      const isLeader = k < leaderCount;
      const isPrincipal = isLeader && k < titles.principal.length;
      const position = isPrincipal
        ? titles.principal[k]!
        : isLeader
          ? titles.deputy[(k - titles.principal.length) % titles.deputy.length]!
          : pick(random, STAFF_POSITIONS);
      const rank =
        unit.kind === 'district'
          ? isPrincipal ? '正处级' : '副处级'
          : isPrincipal ? '正科级' : isLeader ? '副科级' : pick(random, STAFF_RANKS);
      const born = isLeader ? birthDate(random, 1966, 1988) : birthDate(random, 1970, 2001);
      const young = Number(born.slice(0, 4)) >= 1985;
      const tags: string[] = [];
      if (young && random() < 0.35) tags.push(TAGS[0]!);
      if (random() < 0.2) tags.push(TAGS[1]!);
      if (isLeader && random() < 0.25) tags.push(TAGS[2]!);
      if (young && random() < 0.1) tags.push(TAGS[3]!);
      if (!young && random() < 0.15) tags.push(TAGS[4]!);
      const roll = random();
      const status = roll < 0.92 ? 'active' : roll < 0.96 ? 'seconded' : 'on_leave';

      people.push({
        unitKey: unit.key,
        name,
        gender,
        birthDate: born,
        position,
        rank,
        isLeader,
        isPrincipal,
        education: pick(random, EDUCATION),
        field: pick(random, FIELDS),
        tags,
        isPartyMember: random() < 0.9,
        employeeNo: `QH${String(index).padStart(5, '0')}`,
        larkOpenId: demoOpenId(index),
        larkUserId: `demo${String(index).padStart(4, '0')}`,
        mobile: `139${String(10_000_000 + ((index * 7_919_113) % 89_999_999)).padStart(8, '0')}`,
        status: status as NewCadre['status'],
      });
    }
  }
  return people;
}

export interface SeedResult {
  seeded: boolean;
  units: number;
  cadres: number;
}

/**
 * Seeds the demo district into an empty organization. Does nothing when any unit exists, so it
 * is safe at every start and from two processes at once (the transaction takes a lock first).
 */
export async function seedDemo(db: Db): Promise<SeedResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${0x4d494430})`);
    const [{ count }] = (await tx.execute(sql`select count(*)::int as count from units`)) as unknown as [{ count: number }];
    if (count > 0) return { seeded: false, units: 0, cadres: 0 };

    const ids = new Map<string, number>();
    for (const [order, unit] of DEMO_UNITS.entries()) {
      const [row] = await tx
        .insert(units)
        .values({ name: unit.name, kind: unit.kind, parentId: unit.parent ? ids.get(unit.parent)! : null, sortOrder: order })
        .returning({ id: units.id });
      ids.set(unit.key, row!.id);
    }
    const people = demoCadres().map(({ unitKey, ...cadre }) => ({ ...cadre, unitId: ids.get(unitKey)! }));
    await tx.insert(cadres).values(people);
    await audit(tx, { actorId: null, action: 'import', entity: 'demo_seed', diff: { units: ids.size, cadres: people.length } });
    return { seeded: true, units: ids.size, cadres: people.length };
  });
}
