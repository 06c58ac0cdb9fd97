import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../src/storage/db';
import { Agent } from './helpers/agent';
import { Customer, RecordingChannel, type CapturedActivity } from './helpers/channel';
import { HELD_ANSWER, HELD_CLASSIFICATION, HOLD_ANSWER } from './helpers/crash-hold';

// The real server as a child process, killed with SIGKILL under load, then restarted on the same file.
let dir: string;
let channel: RecordingChannel;
const port = 41000 + Math.floor(Math.random() * 2000);
const url = `http://127.0.0.1:${port}`;
const HOLD_PRELOAD = pathToFileURL(resolve('test/helpers/crash-hold.ts')).href;

interface Server {
  child: ChildProcess;
  stderr: () => string;
}

/** Starts src/index.ts; with hold, the first process gets the fault injection of test/helpers/crash-hold.ts. */
function start(dbPath: string, opts: { hold?: boolean } = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...(opts.hold ? ['--import', HOLD_PRELOAD] : []), 'src/index.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: dbPath,
      LOG_LEVEL: 'error',
      DOTENV_CONFIG_QUIET: 'true',
      // No wait-limit apology and no stale-agent requeue within the test: queue positions must only move by accepts.
      HANDOFF_WAIT_LIMIT_SECONDS: '3600',
      HANDOFF_AGENT_TIMEOUT_SECONDS: '3600',
      CRASH_HOLD: opts.hold ? '1' : '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (err += d));
  const server = { child, stderr: () => err };
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = async () => {
      if (child.exitCode !== null) return reject(new Error(`server exited with ${child.exitCode}: ${err}`));
      try {
        if ((await fetch(`${url}/healthz`)).ok) return resolve(server);
      } catch {
        /* not yet */
      }
      if (Date.now() > deadline) return reject(new Error(`server did not start: ${err}`));
      setTimeout(poll, 150);
    };
    void poll();
  });
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));

/** Polls a condition (never a fixed sleep); fails with what it was waiting for. */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function queueCounts(): Promise<Record<string, number>> {
  const h = (await (await fetch(`${url}/healthz`)).json()) as { models: { queue: Record<string, number> } };
  return h.models.queue;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crash-'));
  channel = await new RecordingChannel().start();
});
afterAll(async () => {
  await channel?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Kind = 'question' | 'bye' | 'csat' | 'open' | 'handoff' | 'chat';
const messages = (r: CapturedActivity[]) => r.filter((a) => a.type === 'message');
const told = (r: CapturedActivity[]) => Number(/number (\d+) in the queue|第 (\d+) 位/.exec(messages(r).map((a) => a.text).join('\n'))?.slice(1).find(Boolean) ?? NaN);

describe('crash and shutdown', () => {
  it('SIGKILL amid surveys, handoffs and classification: answers kept, dialogs and both queues resume, integrity ok', async () => {
    const dbPath = join(dir, 'kill.db');
    let server = await start(dbPath, { hold: true });
    const acked: { c: Customer; kind: Kind }[] = [];
    const unacked: { c: Customer; kind: Kind; act: Record<string, unknown> }[] = [];
    const position = new Map<Customer, number>(); // queue position told to the customer
    const loadErrors: string[] = [];
    let inflight = 0;
    let killed = false;
    let n = 0;
    const customer = (tag: string, locale = 'en-US') => new Customer(url, channel, { userId: `crash-${tag}-${++n}`, locale });

    /** One activity; "acknowledged" means the server answered HTTP 200 (replies are captured by then). */
    const send = async (c: Customer, kind: Kind, text?: string, extra: Record<string, unknown> = {}) => {
      const act = c.activity({ text, ...extra });
      inflight++;
      try {
        const res = await c.post(act);
        if (res.status !== 200) throw new Error(`bot answered ${res.status}: ${await res.text()}`);
        acked.push({ c, kind });
        const replies = c.newReplies();
        if (kind === 'handoff' && told(replies)) position.set(c, told(replies));
        return replies;
      } catch (err) {
        unacked.push({ c, kind, act });
        throw err;
      } finally {
        inflight--;
      }
    };
    const survey = async (c: Customer, stopAfter?: 'bye' | 'csat', open = 'The answer was clear and quick.') => {
      await send(c, 'question', 'How do I reset my password?');
      const offer = await send(c, 'bye', 'bye');
      expect(c.texts(offer)).toMatch(/Overall, how satisfied/);
      if (stopAfter === 'bye') return;
      const next = await send(c, 'csat', undefined, { value: { surveyItem: 'csat', value: 4 } });
      expect(c.texts(next)).toMatch(/Anything we could do better/);
      if (stopAfter === 'csat') return;
      await send(c, 'open', open);
    };
    const handoff = async (c: Customer) => {
      const zh = c.opts.locale === 'zh-CN';
      await send(c, 'chat', zh ? '我的订单到哪了？' : 'Where is my order?');
      await send(c, 'handoff', zh ? '转人工' : 'I want a human');
    };
    /** A worker that starts customer after customer until the kill. */
    const loop = (fn: () => Promise<void>) =>
      (async () => {
        while (!killed) {
          await fn().catch((err) => {
            if (!killed) loadErrors.push(String(err));
          });
        }
      })();
    const workers: Promise<unknown>[] = [];

    // 1. Survey load, customers who stop mid-survey, customers queued for a person.
    for (let i = 0; i < 6; i++) workers.push(loop(() => survey(customer('load'))));
    const waitingForCsat = [customer('pause-bye'), customer('pause-bye')];
    const waitingForOpen = [customer('pause-csat'), customer('pause-csat')];
    const queued = [customer('queue', 'zh-CN'), customer('queue'), customer('queue', 'zh-CN'), customer('queue')];
    await Promise.all([...waitingForCsat.map((c) => survey(c, 'bye')), ...waitingForOpen.map((c) => survey(c, 'csat')), ...queued.map(handoff)]);

    // 2. Alice takes the first of the queue, talks to the customer; then more handoff load.
    const alice = await new Agent(() => url, 'alice').login();
    const before = (await alice.json('/api/agent/queue')).queue as { id: number; interactionId: string }[];
    expect(before).toHaveLength(queued.length);
    const handoffIdOf = async (db: Db, c: Customer) =>
      (await db.get<{ id: number }>("SELECT h.id FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE i.conversation_id = ? AND h.status IN ('queued','assigned')", [c.conversationId]))?.id;
    expect((await alice.fetch(`/api/agent/conversations/${before[0].id}/accept`, {})).status).toBe(200);
    const snapshot = ((await alice.json('/api/agent/queue')).queue as { id: number }[]).map((h) => h.id);
    expect(snapshot).toEqual(before.slice(1).map((h) => h.id));
    // Which customer is which handoff (the test's own read-only look at the file; closed before the kill).
    const idOf = new Map<Customer, number>();
    {
      const db = await Db.open(dbPath);
      try {
        for (const c of queued) idOf.set(c, (await handoffIdOf(db, c))!);
      } finally {
        await db.close();
      }
    }
    const accepted = queued.find((c) => idOf.get(c) === before[0].id)!;
    expect(accepted, 'the accepted customer').toBeDefined();
    // Queued at once, they were told positions 1..4; since the accept only the snapshot counts for them.
    expect(queued.map((c) => position.get(c)).sort()).toEqual([1, 2, 3, 4]);
    queued.forEach((c) => position.delete(c));
    expect(accepted.texts(accepted.newReplies())).toMatch(/Alice (from our service team )?has joined|人工客服 Alice 已加入对话/);
    expect((await alice.fetch(`/api/agent/conversations/${before[0].id}/messages`, { text: 'Alice here, looking into it.' })).status).toBe(201);
    expect(accepted.newReplies().map((a) => a.text), 'delivered before the 201').toEqual(['Alice here, looking into it.']);
    expect(messages(await send(accepted, 'chat', 'Thanks, it is order 42.'))).toHaveLength(0); // held by the agent: bot silent
    for (let i = 0; i < 2; i++) workers.push(loop(() => handoff(customer('load-queue', i % 2 ? 'zh-CN' : 'en-US'))));

    // 3. A survey answer whose turn is in flight (deduplication record written, answer not) at the kill.
    const held = customer('held');
    await survey(held, 'csat');
    const heldTurn = send(held, 'open', `Kept across the crash ${HOLD_ANSWER}`).catch(() => undefined);
    await until('the held answer turn', () => server.stderr().includes(HELD_ANSWER));

    // 4. Kill once open answers wait in the classification queue (one job taken by the worker, never
    //    finished) and surveys and handoffs are acknowledged and in flight.
    const answersAcked = () => acked.filter((a) => a.kind === 'csat' || a.kind === 'open').length;
    const loadHandoffsAcked = () => acked.filter((a) => a.kind === 'handoff' && !queued.includes(a.c)).length;
    let atKill: Record<string, number> = {};
    await until('jobs waiting, answers and handoffs acknowledged, turns in flight', async () => {
      if (!server.stderr().includes(HELD_CLASSIFICATION) || answersAcked() < 12 || loadHandoffsAcked() < 2 || inflight < 3) return false;
      atKill = await queueCounts();
      return (atKill.running ?? 0) === 1 && (atKill.pending ?? 0) >= 3 && inflight >= 3;
    });
    const inflightAtKill = inflight;
    killed = true;
    server.child.kill('SIGKILL');
    await exited(server.child);
    await Promise.all([...workers, heldTurn]);
    expect(loadErrors, 'failures before the kill').toEqual([]);
    expect(atKill.done ?? 0, 'no job finished before the kill').toBe(0);
    expect(unacked.some((u) => u.c === held), 'the held answer was not acknowledged').toBe(true);

    // The file as the crash left it, checked before the restarted bot's workers write to it (an FTS5 check
    // racing their writes reports "database is locked", which says nothing about the crash).
    const db = await Db.open(dbPath);
    try {
      expect(await db.integrityCheck()).toBe('ok');
      server = await start(dbPath);

      // The channel redelivers what was never acknowledged (same activity id); each redelivery is acknowledged
      // now, so its answer or handoff request must be stored like any other.
      const redelivered = await Promise.all(
        unacked.map(async (u) => {
          const res = await u.c.post(u.act);
          expect(res.status, `redelivery of ${u.kind}`).toBe(200);
          acked.push({ c: u.c, kind: u.kind });
          return { ...u, replies: u.c.newReplies() };
        }),
      );
      const heldRedelivery = redelivered.find((r) => r.c === held)!;
      expect(held.texts(heldRedelivery.replies), 'the held answer, redelivered after the restart').toMatch(/Thank you for your feedback/);
      for (const r of redelivered) if (r.kind === 'handoff' && told(r.replies)) position.set(r.c, told(r.replies));

      // (a) every acknowledged survey answer is stored.
      const answered = acked.filter((a) => a.kind === 'csat' || a.kind === 'open');
      expect(answered.length).toBeGreaterThanOrEqual(12);
      for (const a of answered) {
        const row = await db.get(
          'SELECT 1 FROM survey_answers a JOIN surveys s ON s.id = a.survey_id JOIN interactions i ON i.id = s.interaction_id WHERE i.conversation_id = ? AND a.item_id = ?',
          [a.c.conversationId, a.kind],
        );
        expect(row, `${a.kind} answer of ${a.c.conversationId}`).toBeDefined();
      }

      // (b) dialogs resume: customers killed mid-survey get the next question, then the end of the survey.
      for (const c of waitingForCsat) {
        const next = c.texts(await c.say(undefined, { value: { surveyItem: 'csat', value: 5 } }));
        expect(next).toMatch(/Anything we could do better/);
        expect(next).not.toMatch(/spare a moment/);
        expect(c.texts(await c.say('Fine after the restart.'))).toBe('Thank you for your feedback!');
      }
      for (const c of waitingForOpen) expect(c.texts(await c.say('Resumed after the crash: all good.'))).toBe('Thank you for your feedback!');

      // (c) the agent queue: the same order and positions, every acknowledged request queued once, the
      //     accepted conversation still Alice's (her session survives too), and the queue keeps being served.
      const handoffCustomers = [...new Set(acked.filter((a) => a.kind === 'handoff').map((a) => a.c))];
      const open = await db.all<{ conversation_id: string; n: number }>(
        "SELECT i.conversation_id, COUNT(*) AS n FROM handoffs h JOIN interactions i ON i.id = h.interaction_id WHERE h.status IN ('queued','assigned') GROUP BY i.conversation_id",
      );
      expect(open.every((o) => o.n === 1), 'one open handoff per conversation').toBe(true);
      expect(open.map((o) => o.conversation_id).sort()).toEqual(handoffCustomers.map((c) => c.conversationId).sort());
      const after = await alice.json('/api/agent/queue');
      expect(after.mine.map((h: { id: number }) => h.id)).toEqual([before[0].id]);
      expect(after.mine[0]).toMatchObject({ status: 'assigned', agentId: 'alice' });
      const ids: number[] = after.queue.map((h: { id: number }) => h.id);
      expect(ids.slice(0, snapshot.length), 'queued before the kill: same order, same positions').toEqual(snapshot);
      expect(ids).toHaveLength(handoffCustomers.length - 1);
      for (const c of handoffCustomers) {
        if (c === accepted) continue;
        const id = (await handoffIdOf(db, c))!;
        if (idOf.has(c)) expect(id, 'the same handoff row as before the kill').toBe(idOf.get(c));
        idOf.set(c, id);
        expect(ids, `handoff of ${c.conversationId} still queued`).toContain(id);
        if (position.has(c)) expect(ids.indexOf(id) + 1, `position told to ${c.conversationId}`).toBe(position.get(c));
      }
      const waiting = queued.find((c) => c !== accepted)!;
      expect(messages(await waiting.say('Are you still there?')), 'queued: the bot stays silent').toHaveLength(0);

      const events = await alice.stream();
      try {
        expect(messages(await accepted.say('Any news about order 42?'))).toHaveLength(0);
        expect((await events.waitFor((e) => e.event === 'message' && e.data.role === 'customer' && /order 42/.test(e.data.text), 10_000)).data.handoffId).toBe(before[0].id);
      } finally {
        events.close();
      }
      expect((await alice.fetch(`/api/agent/conversations/${before[0].id}/messages`, { text: 'It ships today.' })).status).toBe(201);
      expect(accepted.newReplies().map((a) => a.text)).toEqual(['It ships today.']);

      const bob = await new Agent(() => url, 'bob').login();
      const next = handoffCustomers.find((c) => idOf.get(c) === ids[0])!;
      expect((await bob.fetch(`/api/agent/conversations/${ids[0]}/accept`, {})).status).toBe(200);
      expect((await bob.json('/api/agent/queue')).queue.map((h: { id: number }) => h.id)).toEqual(ids.slice(1));
      expect(next.texts(next.newReplies())).toMatch(/Bob (from our service team )?has joined|人工客服 Bob 已加入对话/);

      // (c) the classification queue: the job left running and every pending one complete; no feedback lost.
      await until('the classification queue to drain', async () => {
        const q = await queueCounts();
        return !q.pending && !q.running;
      });
      expect((await queueCounts()).failed ?? 0).toBe(0);
      const fb = (await db.get<{ n: number; unclassified: number; unfinished: number }>(
        `SELECT COUNT(*) AS n, SUM(f.classified_at IS NULL) AS unclassified, SUM(j.status IS NOT 'done') AS unfinished
           FROM feedback f LEFT JOIN classification_jobs j ON j.feedback_id = f.id`,
      ))!;
      expect(fb.n).toBeGreaterThanOrEqual(answered.filter((a) => a.kind === 'open').length);
      expect(fb.n).toBeGreaterThanOrEqual((atKill.pending ?? 0) + (atKill.running ?? 0));
      expect(fb.unclassified).toBe(0);
      expect(fb.unfinished).toBe(0);
      for (const a of answered.filter((x) => x.kind === 'open')) {
        const row = await db.get<{ c: string | null }>('SELECT f.classified_at AS c FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE i.conversation_id = ?', [a.c.conversationId]);
        expect(row?.c, `feedback of ${a.c.conversationId} classified`).toBeTruthy();
      }

      // (d) the file is sound after all of it.
      expect(await db.integrityCheck()).toBe('ok');
      const count = (kind: Kind) => acked.filter((a) => a.kind === kind).length;
      console.info(
        `crash: ${inflightAtKill} turns in flight at SIGKILL; acknowledged ${count('csat')} csat + ${count('open')} open answers, ${count('handoff')} handoff requests ` +
          `(${redelivered.length} redelivered after the restart: ${redelivered.map((r) => r.kind).join(', ')}); jobs at the kill ${JSON.stringify(atKill)}, feedback rows classified after it ${fb.n}`,
      );
    } finally {
      await db.close();
      server.child.kill('SIGKILL');
      await exited(server.child);
    }
  }, 180_000);

  it('finishes in-flight turns on SIGTERM before exiting', async () => {
    const dbPath = join(dir, 'term.db');
    const { child: server } = await start(dbPath);
    const customers = Array.from({ length: 20 }, (_, i) => new Customer(url, channel, { userId: `term-user-${i}`, locale: 'en-US' }));
    const statuses: (number | string)[] = [];
    const inflight = customers.map((c) =>
      c.post(c.activity({ text: 'Where is my order?' })).then(
        (r) => statuses.push(r.status),
        (e) => statuses.push(String(e)),
      ),
    );
    // Signal once the first turn has completed, while the others are still being processed.
    await Promise.race(inflight);
    server.kill('SIGTERM');
    const code = await exited(server);
    await Promise.all(inflight);
    // Requests accepted before the signal complete with 200; later ones are refused, never cut off midway.
    const accepted = statuses.filter((s) => s === 200).length;
    expect(accepted).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 503 || /ECONNREFUSED|fetch failed/.test(String(s)))).toBe(true);
    expect(code).toBe(0);
    const db = await Db.open(dbPath);
    expect(await db.integrityCheck()).toBe('ok');
    const customerTurns = (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM transcript WHERE role = 'customer'"))!.n;
    expect(customerTurns).toBe(accepted);
    await db.close();
  }, 120_000);
});
