import './quietDeprecations'; // before restify: see the file
import { readFileSync } from 'node:fs';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  UserState,
  type TurnContext,
} from 'botbuilder';
import restify from 'restify';
import { MainDialog, resolveLocale, type MainDialogDeps } from '../dialogs/mainDialog';
import { TurnLock } from './bots/turnLock';
import { t } from '../dialogs/strings';
import { ServiceBot } from './bots/serviceBot';
import type { AppConfig } from './config';
import { createLogger, type Logger } from './log';
import { loadKnowledgeBase, type KnowledgeBase } from './nlp/kb';
import { kbMatcher } from './nlp/kbMatcher';
import { classifierHealth, createClassification } from './nlp/classify';
import { createQuality } from './nlp/quality';
import { redact } from './nlp/redact';
import { Db, type PoolState } from './storage/db';
import { bridgeEmitter, openLiveBus } from './storage/liveBus';
import { InteractionRepo } from './storage/interactions';
import { SqliteStorage } from './storage/sqliteStorage';
import { createSurveyModule, type SurveyModule, type SurveyModuleOptions } from './survey/module';
import { serviceUrlAllowed, validateActivityBody } from './web/activityValidation';
import { bodyReader } from './web/body';
import { guardServer } from './web/http';
import { RateLimiter } from './web/rateLimit';
import { registerIndicatorRoutes } from './web/indicatorsApi';
import { registerAnalystRoutes } from './web/analyst/routes';
import { loadAccounts, registerAuthRoutes, requireSession, SessionStore } from './web/auth';
import { loadIndicatorModel } from './indicators/model';
import { HandoffHub, handoffSettings, type HandoffSettings } from './handoff/hub';
import { HandoffQueue } from './handoff/queue';
import { registerAgentRoutes } from './web/agentApi';
import { topicNames } from './web/analyst/topics';
import { loadTaxonomy } from './nlp/taxonomy';
import { loadBranding } from './web/branding';
import { registerChatPage } from './web/chatPage';
import { demoAccounts, isDevelopment } from './web/demoAccounts';
import { registerLanding } from './web/landing';
import { DirectLine } from './web/directline/server';
import { DirectLineStore } from './web/directline/store';
import { createChannels, type ChannelHost } from './channels';

/** Branding of the web pages (name, colours, avatars, greeting, first questions). */
const WEBCHAT_CONFIG = 'config/webchat.yaml';

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export interface AppOverrides {
  log?: Logger;
  /** PostgreSQL schema to create and use (tests: a fresh one per file). */
  databaseSchema?: string;
  now?: () => Date;
  /** Extra BotFrameworkAuthentication settings (e.g. a loopback OpenID metadata URL in tests). */
  authOptions?: Record<string, string | boolean | undefined>;
  /** Environment for the classifier settings (CLASSIFIER_ENGINE, CLASSIFIER_MODEL ...); default process.env. */
  classifierEnv?: Record<string, string | undefined>;
  /** Survey settings overrides, callbacks and tick interval (tests use a short idle timeout). */
  survey?: Pick<SurveyModuleOptions, 'configPath' | 'settings' | 'idleTickMs' | 'onRecoveryAccepted' | 'onFeedback'>;
  /** Handoff timings (default from HANDOFF_* environment variables). */
  handoff?: Partial<HandoffSettings>;
}

export interface App {
  server: restify.Server;
  url: string;
  port: number;
  db: Db;
  adapter: CloudAdapter;
  bot: ServiceBot;
  kb: KnowledgeBase;
  interactions: InteractionRepo;
  survey: SurveyModule;
  classification: Awaited<ReturnType<typeof createClassification>>;
  /** Predicted S/A of ended interactions (undefined when the model file is missing). */
  quality: import('./nlp/quality').QualityRepo | undefined;
  directline: DirectLine;
  handoff: HandoffHub;
  /** Messaging-app channels (LINE, Telegram, WeChat, WhatsApp) that are configured. */
  channels: ChannelHost;
  log: Logger;
  /** Stop accepting requests, finish in-flight turns, close the database. */
  close(): Promise<void>;
}

/** CloudAdapter with its turn entry point public, so /api/messages answers every status itself. */
class ServiceAdapter extends CloudAdapter {
  runTurn(...args: Parameters<CloudAdapter['processActivity']>) {
    return this.processActivity(...args);
  }
}

/** A turn failed because the database refused its writes: answered 503 so the channel redelivers. */
class StorageUnavailable extends Error {}

/** Builds every part from config with injected dependencies and starts listening. */
export async function createApp(config: AppConfig, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? createLogger(config.logLevel);
  const db = await Db.open(config.databaseUrl ?? config.databasePath, { max: config.databasePoolMax, schema: overrides.databaseSchema });
  db.probeMs = config.dbWriteProbeMs;
  const storage = new SqliteStorage(db);
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const interactions = new InteractionRepo(db, (s) => redact(s).text, overrides.now);

  const kb = loadKnowledgeBase(config.kbDir);
  const matcher = kbMatcher(kb, config.kbDir);

  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.microsoftAppId,
    MicrosoftAppPassword: config.microsoftAppPassword,
    MicrosoftAppType: config.microsoftAppType,
    MicrosoftAppTenantId: config.microsoftAppTenantId,
    ...overrides.authOptions,
  });
  const adapter = new ServiceAdapter(auth);

  const testPrefixes = config.testUserPrefixes;
  const isTestTraffic = (userId: string, channelId: string) => testPrefixes.some((p) => userId.startsWith(p) || channelId.startsWith(p));

  // Open answers are classified in a background queue persisted in SQLite; a turn only enqueues.
  const taxonomy = loadTaxonomy(`${config.modelsDir}/taxonomy.yaml`);
  const recoverHolder: { recover?: (feedbackId: number, r: { sentiment: string | null; confidence: number }) => Promise<unknown> } = {};
  const classifierEnv = { MODELS_DIR: config.modelsDir, ...(overrides.classifierEnv ?? process.env) };
  // Predicted satisfaction of ended interactions runs on the same background worker, after feedback jobs.
  const quality = createQuality(db, (id) => interactions.transcript(id), classifierEnv, {
    warn: (msg, fields) => log.warn(msg, fields),
    onError: (msg, fields) => log.warn(msg, fields),
  });
  const classification = await createClassification(db, classifierEnv, {
    quality,
    warn: (msg, fields) => log.warn(msg, fields),
    onError: (msg, fields) => log.warn(msg, fields),
    taxonomy,
    onClassified: async (feedbackId, r) => {
      // the survey module decides from the comment's sentiment together with the rating and "resolved?"
      if (r.sentiment === 'negative') await recoverHolder.recover?.(feedbackId, r);
    },
  });
  const hubHolder: { hub?: HandoffHub } = {};
  const channelsHolder: { host?: ChannelHost } = {};
  const turnLock = new TurnLock(db.engine === 'postgres' ? (name, fn) => db.withLock(name, fn) : undefined);
  const survey = createSurveyModule({
    db,
    interactions,
    log,
    now: overrides.now,
    configPath: `${config.modelsDir}/surveys.yaml`,
    turnLock,
    // WhatsApp's 24-hour and WeChat's 48-hour windows: a proactive survey that cannot be delivered is skipped.
    undeliverable: async (channel, conversationId) => channelsHolder.host?.surveyBlocked(channel, conversationId),
    ...overrides.survey,
    onRecoveryAccepted: async (ctx, id) => {
      await hubHolder.hub?.onRecoveryAccepted(ctx, id);
      await overrides.survey?.onRecoveryAccepted?.(ctx, id);
    },
    onFeedback: (id) => {
      void classification.queue.enqueue(id).catch((error) => log.error('could not queue feedback for classification', { error, id }));
      return overrides.survey?.onFeedback?.(id);
    },
  });
  recoverHolder.recover = (id, r) => survey.recoverNegativeFeedback(id, r);

  // Human handoff: queue in SQLite, the bot stays silent while a person holds the conversation.
  const accounts = loadAccounts(config.accountsFile);
  const handoffQueue = new HandoffQueue(db, overrides.now);
  const handoffConfig = { ...handoffSettings(process.env), ...overrides.handoff };
  const handoff = new HandoffHub({
    db, queue: handoffQueue, interactions, log, now: overrides.now, settings: handoffConfig,
    agentName: (id) => accounts.find((a) => a.id === id)?.name ?? id,
    leaveMessage: (interactionId, text) => survey.followups.create({
      interactionId, reason: 'left_message', owner: survey.config.settings.followupOwner, dueHours: survey.config.settings.followupDueHours, note: redact(text).text,
    }),
    offerSurvey: (id, trigger) => survey.offerSurvey(id, trigger),
    surveyOpen: async (id) => ['offered', 'started'].includes((await survey.surveys.forInteraction(id))?.status ?? ''),
    surveyed: async (id) => !!(await survey.surveys.forInteraction(id)),
    kbAnswers: (text, locale) => matcher.match(text, locale).outcome === 'answer',
    dialogState: conversationState.createProperty('DialogState'),
  });
  hubHolder.hub = handoff;

  const botHolder: { bot?: ServiceBot } = {};
  const dialogDeps: MainDialogDeps = {
    kb,
    matcher,
    interactions,
    conversationData: conversationState.createProperty('ConversationData'),
    isTestTraffic,
    survey: survey.hook,
    handoff: handoff.hook,
    cardChannels: survey.config.settings.cardChannels,
  };
  const dialog = new MainDialog(dialogDeps);
  const bot = new ServiceBot({ conversationState, userState, dialog, interactions, log, interceptors: [survey.interceptor, handoff.interceptor], turnLock });
  bot.onEvent(handoff.onEvent);
  botHolder.bot = bot;

  adapter.onTurnError = async (ctx: TurnContext, error: Error) => {
    log.error('turn failed', { error, conversationId: ctx.activity.conversation?.id, activityId: ctx.activity.id });
    // The conversation's language, or the text's: the Emulator sends en-US whatever the customer types.
    const data = await dialogDeps.conversationData.get(ctx).catch(() => undefined);
    const text = typeof ctx.activity.text === 'string' ? ctx.activity.text : '';
    const locale = resolveLocale(ctx.activity.locale, text, data?.locale);
    // Drop half-written dialog state so the next turn starts clean instead of repeating the failure.
    await conversationState.delete(ctx).catch(() => undefined);
    await ctx.sendActivity(t('turnError', locale)).catch(() => undefined);
    // Writes are failing: the turn is not acknowledged (5xx), so the channel redelivers it once the disk is back.
    if (!db.health.writable) throw new StorageUnavailable(db.health.reason ?? 'database is not writable');
  };

  const server = restify.createServer({ name: 'satisfaction-bot', version: VERSION, handleUncaughtExceptions: false });
  // Every handler registered from here on answers its own errors (400/500) instead of ending the process.
  guardServer(server, log);
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(bodyReader(config.maxBodyBytes));

  let inFlight = 0;
  let draining = false;
  const idle: (() => void)[] = [];

  server.post('/api/messages', async (req, res) => {
    if (draining) {
      res.send(503, { error: 'server is shutting down' });
      return;
    }
    const problem = validateActivityBody(req.getContentType(), req.body);
    if (problem) {
      res.send(problem.status, { error: problem.message });
      return;
    }
    const activity = req.body as Record<string, any>;
    if (!config.microsoftAppId && !serviceUrlAllowed(activity.serviceUrl, config.allowedServiceUrlHosts)) {
      res.send(403, { error: 'activity.serviceUrl host is not in ALLOWED_SERVICE_URL_HOSTS (required while MicrosoftAppId is unset)' });
      return;
    }
    let authResult;
    try {
      authResult = await auth.authenticateRequest(activity as any, req.header('authorization') ?? '');
    } catch (err) {
      // botframework-connector lets a bad signature escape as a 500; every token failure is a 401.
      log.warn('rejected /api/messages: authentication failed', { reason: (err as Error).message });
      res.send(401, { error: 'unauthorized: missing or invalid Bot Framework token' });
      return;
    }
    for (const f of ['timestamp', 'localTimestamp', 'expiration'] as const)
      if (typeof activity[f] === 'string') activity[f] = new Date(activity[f]);
    inFlight++;
    try {
      const invoke = await adapter.runTurn(authResult, activity as any, (ctx) => bot.run(ctx));
      if (invoke) res.send(invoke.status, invoke.body);
      else res.send(200);
    } catch (error) {
      if (error instanceof StorageUnavailable) {
        res.setHeader('Retry-After', '5');
        res.send(503, { error: 'storage unavailable, retry later' });
      } else {
        log.error('turn failed outside the bot', { error });
        if (!res.headersSent) res.send(500, { error: 'internal error' });
      }
    } finally {
      inFlight--;
      if (inFlight === 0) idle.splice(0).forEach((f) => f());
    }
  });

  server.get('/healthz', async (_req, res) => {
    let database: { ok: boolean; engine: string; path: string; readable: boolean; writable: boolean; pool?: PoolState; error?: string; since?: string };
    // While degraded, try a write now so a repaired disk shows at once (the probe timer also retries).
    const writes = db.health.writable ? db.health : await db.probeWrite();
    try {
      await db.get('SELECT 1');
      database = { ok: writes.writable, engine: db.engine, path: db.path, readable: true, writable: writes.writable, pool: db.poolState() };
    } catch (err) {
      database = { ok: false, engine: db.engine, path: db.path, readable: false, writable: writes.writable, pool: db.poolState(), error: (err as Error).message };
    }
    if (!writes.writable) Object.assign(database, { error: writes.reason, since: writes.since });
    const queue = await classification.queue.counts().catch(() => undefined);
    const models = { matcher: { ok: true, kbEntries: kb.entries.length }, classifier: classifierHealth(), queue };
    const reason = database.ok ? undefined : !database.readable ? 'database cannot be read' : 'database writes are failing';
    res.send(database.ok ? 200 : 503, { status: database.ok ? 'ok' : 'degraded', reason, version: VERSION, database, models, channels: channelsHolder.host?.enabled ?? [] });
  });

  // Turn restify's errors (413, 400 from the body parser) into a clear JSON message.
  server.on('restifyError', (req: restify.Request, res: restify.Response, err: any, cb: () => void) => {
    err.toJSON = () => ({ error: err.message || err.name, code: err.code ?? err.name });
    cb();
  });

  survey.registerRoutes(server, config.analystApiToken);
  registerIndicatorRoutes(server, { db, analystToken: config.analystApiToken, modelPath: `${config.modelsDir}/indicators.yaml` });
  // Agents and analysts log in with accounts from configuration; sessions live in SQLite.
  const sessions = new SessionStore(db, { now: overrides.now });
  const loginLimits = { perUser: config.loginMaxFailuresPerUser, perAddress: config.loginMaxFailuresPerAddress, lockMs: config.loginLockSeconds * 1000 };
  registerAuthRoutes(server, { prefix: '/api/analyst', role: 'analyst', accounts, sessions, log, limits: loginLimits });
  registerAnalystRoutes(server, {
    db, log, model: loadIndicatorModel(`${config.modelsDir}/indicators.yaml`), topics: topicNames(taxonomy),
    requireSession: requireSession(sessions, 'analyst'), meRoute: false,
  });
  registerAgentRoutes(server, { hub: handoff, queue: handoffQueue, db, interactions, accounts, sessions, log, heartbeatMs: handoffConfig.heartbeatMs, now: overrides.now, loginLimits });
  const conversationLimit = new RateLimiter({ perMinute: config.conversationRatePerMinute, burst: config.conversationRateBurst });
  // Several instances on one PostgreSQL: agent-console events and Direct Line appends reach the other instances.
  const bus = await openLiveBus(db, log);
  const unbridge = bridgeEmitter(handoff.events, 'hub', bus);
  const dlStore = new DirectLineStore(db, overrides.now);
  const directline = new DirectLine({
    server,
    store: dlStore,
    secret: await dlStore.secret(config.directlineSecret),
    tokenTtlSeconds: config.directlineTokenTtlSeconds,
    prefix: config.directlinePrefix,
    corsOrigins: config.directlineCorsOrigins,
    logic: (ctx) => bot.run(ctx),
    onTurnError: adapter.onTurnError,
    log,
    now: overrides.now,
    conversationLimit,
    bus,
  });
  // Web pages: the landing page at / and the branded chat.
  const branding = loadBranding(WEBCHAT_CONFIG);
  registerChatPage(server, { directline, prefix: config.directlinePrefix, branding, conversationLimit });
  registerLanding(server, { branding, demoAccounts: isDevelopment(process.env, config.microsoftAppId) ? demoAccounts(accounts) : [] });
  const channels = await createChannels(config.channels, { server, db, log, logic: (ctx) => bot.run(ctx), onTurnError: adapter.onTurnError, now: overrides.now });
  channelsHolder.host = channels;
  survey.startIdle({ adapter, appId: config.microsoftAppId, conversationState, mainDialog: dialog });
  handoff.start({ adapter, appId: config.microsoftAppId });
  const backlog = await classification.queue.enqueueUnclassified();
  if (backlog) log.info('queued unclassified feedback', { count: backlog });
  classification.queue.start();

  // A taken port is a start-up error (EADDRINUSE) the entry point explains, not an unhandled 'error' event.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // restify re-emits the http server's 'error'
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      // later server errors (e.g. EMFILE on accept) are logged; without a listener they would end the process
      server.on('error', (error: Error) => log.error('http server error', { error }));
      resolve();
    });
  }).catch(async (err) => {
    await Promise.allSettled([survey.stop(), classification.queue.stop(), directline.close()]);
    handoff.stop();
    await db.close().catch(() => undefined);
    throw err;
  });
  const addr = server.address() as { port: number };
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  await channels.start(); // after listen: replies of events left from before a restart need the loopback connector

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      draining = true;
      await survey.stop();
      handoff.stop(); // ends the agents' event streams, which would hold server.close open
      await classification.queue.stop();
      await directline.close(); // before server.close: running turns post their replies over loopback
      await channels.close();
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive sockets would otherwise hold close() open until they time out.
      (server.server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await closing;
      if (inFlight > 0) await new Promise<void>((resolve) => idle.push(resolve));
      unbridge();
      await bus.close();
      await db.close();
    })());

  return { server, url: `http://${host}:${addr.port}`, port: addr.port, db, adapter, bot, kb, interactions, survey, classification, quality, directline, handoff, channels, log, close };
}
