// Baseline: a bare restify endpoint doing the minimum a bot turn does over HTTP —
// parse the activity and POST one reply to its serviceUrl.
import restify from 'restify';

const server = restify.createServer();
server.use(restify.plugins.bodyParser());
server.get('/healthz', async (_req, res) => {
  res.send(200, { status: 'ok' });
});
server.post('/api/messages', async (req, res) => {
  const a = req.body;
  await fetch(`${a.serviceUrl}/v3/conversations/${encodeURIComponent(a.conversation.id)}/activities/${a.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: `echo: ${a.text}`, conversation: a.conversation, replyToId: a.id }),
  });
  res.send(200);
});
server.listen(Number(process.env.PORT ?? 3999), process.env.HOST ?? '127.0.0.1');
