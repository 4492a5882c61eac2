// A stand-in for a hosted model in the end-to-end tests (a real one needs the internet): it
// speaks the OpenAI chat-completions streaming format — `data: {chat.completion.chunk}` events
// with `choices[0].delta.content`, a last chunk with `finish_reason: "stop"`, `data: [DONE]` —
// and answers by what the last message says: "fail" refuses (401, an OpenAI error body),
// "slow" streams a long answer slowly, anything else is echoed word by word. Prints
// `listening=<port>` once it listens on 127.0.0.1 (port from MODEL_PORT, 0 for any).
import * as http from 'node:http';

const chunk = (delta, finish = null) => `data: ${JSON.stringify({
  id: 'chatcmpl-e2e', object: 'chat.completion.chunk', created: 1700000000, model: 'e2e-model',
  choices: [{ index: 0, delta, finish_reason: finish }],
})}\n\n`;

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
    res.statusCode = 404;
    return res.end();
  }
  let body = '';
  req.on('data', (part) => { body += part; });
  req.on('end', async () => {
    const messages = JSON.parse(body).messages ?? [];
    const last = String(messages.at(-1)?.content ?? '');
    if (last.includes('fail')) {
      res.writeHead(401, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: {
        message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key',
      } }));
    }
    const slow = last.includes('slow');
    const heard = last.replace(/^[^:]*: /, '');
    const text = slow ? 'and so it goes on '.repeat(60) : `You said: ${heard}. That is all I have to say.`;
    const words = text.split(/(?<= )/);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: '' }));
    for (const word of words) {
      if (res.destroyed) return;
      await new Promise((done) => setTimeout(done, 250));
      res.write(chunk({ content: word }));
    }
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
});
server.listen(Number(process.env.MODEL_PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening=${server.address().port}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
