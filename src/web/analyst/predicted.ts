import type restify from 'restify';
import { predictedReport, type Filter } from '../../indicators';
import type { Db } from '../../storage/db';

/**
 * /api/analyst/predicted: the predicted-satisfaction panel (report part `predicted`), and
 * /api/analyst/predicted/:id: one interaction's transcript with its prediction and the turns that weighed most.
 */
export function registerPredictedRoutes(
  server: restify.Server,
  d: { db: Db; api: string; guard: restify.RequestHandler; wrap: (fn: (req: restify.Request, res: restify.Response) => Promise<void>) => restify.RequestHandler; filter: (q: Record<string, unknown>) => Filter },
): void {
  const { db, api, guard, wrap } = d;
  server.get(`${api}/predicted`, guard, wrap(async (req, res) => {
    res.send(await predictedReport(db, d.filter((req.query ?? {}) as Record<string, unknown>), { lowest: 20 }));
  }));
  server.get(`${api}/predicted/:id`, guard, wrap(async (req, res) => {
    const id = String(req.params.id);
    const i = await db.get('SELECT id, started_at, ended_at, channel, locale, handled_by, outcome FROM interactions WHERE id = ?', [id]);
    if (!i) return void res.send(404, { error: 'no such interaction' });
    const q = await db.get<{ model_id: string; model_version: string; s_dist: string; a_dist: string; s_mean: number; a_mean: number; reasons: string; predicted_at: string }>(
      'SELECT model_id, model_version, s_dist, a_dist, s_mean, a_mean, reasons, predicted_at FROM interaction_quality WHERE interaction_id = ?',
      [id],
    );
    const transcript = await db.all('SELECT id, at, role, text, meta IS NOT NULL AND meta LIKE \'%"survey"%\' AS survey FROM transcript WHERE interaction_id = ? ORDER BY id', [id]);
    res.send({
      interaction: i,
      transcript,
      prediction: q ? { model: `${q.model_id}@${q.model_version}`, S: JSON.parse(q.s_dist), A: JSON.parse(q.a_dist), s_mean: q.s_mean, a_mean: q.a_mean, reasons: JSON.parse(q.reasons), predicted_at: q.predicted_at } : null,
    });
  }));
}
