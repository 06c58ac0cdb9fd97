import type { Db } from '../storage/db';
import type { SurveySettings } from './definitions';
import type { SurveyRepo } from './surveyRepo';

export type Ineligible = 'test_traffic' | 'already_surveyed' | 'too_few_turns' | 'cooldown' | 'unknown_interaction' | 'channel_not_allowed';
export type Decision = { eligible: true } | { eligible: false; reason: Ineligible; detail?: Record<string, unknown> };

/**
 * Decides whether an interaction gets a survey and logs the decision with its reason
 * in interaction_events (kind 'survey_eligibility').
 */
export class Eligibility {
  constructor(
    private readonly db: Db,
    private readonly surveys: SurveyRepo,
    private readonly settings: () => SurveySettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async decide(interactionId: string, trigger: string): Promise<Decision> {
    const decision = await this.evaluate(interactionId, trigger);
    const exists = await this.db.get('SELECT 1 FROM interactions WHERE id = ?', [interactionId]);
    if (exists) {
      await this.db.run('INSERT INTO interaction_events(interaction_id, at, kind, detail) VALUES (?, ?, ?, ?)', [
        interactionId,
        this.now().toISOString(),
        'survey_eligibility',
        JSON.stringify({ trigger, ...decision }),
      ]);
    }
    return decision;
  }

  private async evaluate(interactionId: string, trigger: string): Promise<Decision> {
    const s = this.settings();
    const i = await this.db.get<{ user_id: string; is_test: number; customer_turns: number; channel: string }>(
      'SELECT user_id, is_test, customer_turns, channel FROM interactions WHERE id = ?',
      [interactionId],
    );
    if (!i) return { eligible: false, reason: 'unknown_interaction' };
    if (i.is_test) return { eligible: false, reason: 'test_traffic' };
    if (await this.surveys.forInteraction(interactionId)) return { eligible: false, reason: 'already_surveyed' };
    if (trigger === 'idle_timeout' && !s.proactiveChannels.includes(i.channel)) return { eligible: false, reason: 'channel_not_allowed', detail: { channel: i.channel } };
    if (i.customer_turns < s.minCustomerTurns) return { eligible: false, reason: 'too_few_turns', detail: { turns: i.customer_turns, min: s.minCustomerTurns } };
    const since = new Date(this.now().getTime() - s.cooldownDays * 86400_000).toISOString();
    const last = await this.surveys.lastForUserSince(i.user_id, since);
    if (last) return { eligible: false, reason: 'cooldown', detail: { lastSurveyAt: last.offered_at, cooldownDays: s.cooldownDays } };
    return { eligible: true };
  }
}
