import type { InteractionRepo } from '../storage/interactions';
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
    private readonly interactions: Pick<InteractionRepo, 'surveyFacts' | 'logEvent'>,
    private readonly surveys: SurveyRepo,
    private readonly settings: () => SurveySettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async decide(interactionId: string, trigger: string): Promise<Decision> {
    const decision = await this.evaluate(interactionId, trigger);
    if (decision.eligible || decision.reason !== 'unknown_interaction') await this.interactions.logEvent(interactionId, 'survey_eligibility', { trigger, ...decision });
    return decision;
  }

  private async evaluate(interactionId: string, trigger: string): Promise<Decision> {
    const s = this.settings();
    const i = await this.interactions.surveyFacts(interactionId);
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
