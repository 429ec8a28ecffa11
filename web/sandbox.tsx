/**
 * @module
 * Who may use the Lark sandbox's chat simulator, and the record of what they do in it. The
 * simulator acts as any cadre, so it is for district admins only (others see a 403 page in their
 * language), and every message or card action sent in a cadre's name is audited: actor the panel
 * user, entity the cadre, action `sandbox.impersonate`. Reading the conversation is not an act.
 * @example createLarkLayer({ ..., simulator: simulatorAccess({ db, clock }) })
 */
import type { MiddlewareHandler } from 'hono';
import { eq } from 'drizzle-orm';
import { cadres } from '../db/schema/org.ts';
import { audit } from '../core/audit.ts';
import type { ActAs } from '../bot/sandbox/simulator.tsx';
import { requireUser } from './auth.ts';
import { clientIp, t, type PanelContext, type PanelDeps } from './context.ts';
import { renderPage } from './render.tsx';
import { isDistrictAdmin } from '../core/roles.ts';

export const IMPERSONATE_ACTION = 'sandbox.impersonate';

export function simulatorAccess(deps: Pick<PanelDeps, 'db' | 'clock' | 'trustProxy'>): { guard: MiddlewareHandler; onActAs: ActAs } {
  const signedIn = requireUser(deps);
  const guard: MiddlewareHandler = async (c, next) => {
    const pc = c as PanelContext;
    let admin = false;
    // requireUser answers itself (sign-in redirect) when nobody is signed in.
    const answered = await signedIn(pc, async () => {
      admin = isDistrictAdmin(pc.var.user);
      if (admin) await next();
    });
    if (answered || admin) return answered;
    const body = (
      <div class="card empty-state">
        <h1>403</h1>
        <p>{t(pc).sandbox.simulatorForbidden}</p>
        <a class="button" href="/">{t(pc).nav.dashboard}</a>
      </div>
    );
    return renderPage(pc, { sandbox: true }, t(pc).nav.simulator, body, 403);
  };

  const onActAs: ActAs = async (c, act) => {
    const pc = c as PanelContext;
    const [cadre] = await deps.db.select({ id: cadres.id }).from(cadres).where(eq(cadres.larkOpenId, act.openId));
    await audit(deps.db, {
      actorId: pc.var.user.id,
      action: IMPERSONATE_ACTION,
      // A sandbox person who is not a cadre (the directory is Lark's) is named by open_id.
      entity: cadre ? 'cadre' : 'lark_user',
      entityId: cadre ? cadre.id : act.openId,
      diff: { openId: act.openId, kind: act.kind, ...(act.action ? { action: act.action } : {}) },
      ip: clientIp(c, deps.trustProxy),
    });
  };

  return { guard, onActAs };
}
