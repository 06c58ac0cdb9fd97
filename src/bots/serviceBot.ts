import { ActivityHandler, ActivityTypes, type ConversationState, type TurnContext, type UserState, TurnContext as TC } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type Dialog } from 'botbuilder-dialogs';
import { t } from '../../dialogs/strings';
import type { ConversationData } from '../../dialogs/mainDialog';
import { normalizeLocale } from '../nlp/locale';
import type { InteractionRepo } from '../storage/interactions';
import type { TurnLock } from './turnLock';
import type { Logger } from '../log';

export interface ServiceBotDeps {
  conversationState: ConversationState;
  userState: UserState;
  dialog: Dialog;
  interactions: InteractionRepo;
  log: Logger;
  /**
   * Runs before the dialog on each message; returns true when it consumed the turn
   * (e.g. an agent holds the conversation, so the bot stays silent).
   */
  interceptors?: ((ctx: TurnContext) => Promise<boolean>)[];
  /** Shared with the proactive turns (surveys) so one conversation never runs two turns at once. */
  turnLock: TurnLock;
}

/** The ActivityHandler: welcomes members, de-duplicates redeliveries and runs the main dialog. */
export class ServiceBot extends ActivityHandler {
  private readonly dialogState;
  readonly conversationData;

  constructor(private readonly deps: ServiceBotDeps) {
    super();
    this.dialogState = deps.conversationState.createProperty('DialogState');
    this.conversationData = deps.conversationState.createProperty<ConversationData>('ConversationData');
    const dialogs = new DialogSet(this.dialogState);
    dialogs.add(deps.dialog);

    this.onMembersAdded(async (ctx, next) => {
      const locale = normalizeLocale(ctx.activity.locale) ?? 'en';
      for (const m of ctx.activity.membersAdded ?? []) {
        if (m.id !== ctx.activity.recipient?.id) await ctx.sendActivity(t('welcome', locale));
      }
      await next();
    });

    this.onMessage(async (ctx, next) => {
      await deps.interactions.saveReference(TC.getConversationReference(ctx.activity));
      for (const intercept of deps.interceptors ?? []) if (await intercept(ctx)) return next();
      const dc = await dialogs.createContext(ctx);
      const result = await dc.continueDialog();
      if (result.status === DialogTurnStatus.empty) await dc.beginDialog(deps.dialog.id);
      await next();
    });
  }

  /**
   * One turn at a time per conversation (`TurnLock`), so a redelivery that arrives while its original runs
   * waits for it and is then found recorded. Skips redelivered activities (same id in the same conversation),
   * then saves state after every turn. The id is recorded only after the turn and its state are saved: a
   * process killed mid-turn never acknowledged the activity, so the channel's redelivery after the restart
   * must run it, not be ignored.
   */
  async run(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const conversationId = a.conversation?.id;
    if (!conversationId) return this.turn(ctx);
    return this.deps.turnLock.run(conversationId, async () => {
      if (!(a.type === ActivityTypes.Message && a.id)) return this.turn(ctx);
      if (await this.deps.interactions.isProcessed(conversationId, a.id)) {
        this.deps.log.info('duplicate activity ignored', { conversationId, activityId: a.id });
        return;
      }
      await this.turn(ctx);
      await this.deps.interactions.markProcessed(conversationId, a.id);
    });
  }

  private async turn(ctx: TurnContext): Promise<void> {
    await super.run(ctx);
    await this.deps.conversationState.saveChanges(ctx, false);
    await this.deps.userState.saveChanges(ctx, false);
  }
}
