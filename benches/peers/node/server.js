// A Node.js peer for benches/load.sh, written the way seeds 001, 002 and 004
// do it: the http module, the raw body as a string, createHmac(...).digest('hex')
// compared with timingSafeEqual, JSON.parse, and one log line per event.
'use strict';

const crypto = require('crypto');
const http = require('http');

const secret = process.env.INSTAGRAM_APP_SECRET || '';
const token = process.env.INSTAGRAM_VERIFY_TOKEN || '';
const port = Number(process.env.PORT || 3000);

function verifyMetaSignature(payload, signature, key) {
  const expectedSignature = crypto.createHmac('sha256', key).update(payload).digest('hex');
  const receivedSignature = signature.replace('sha256=', '');
  const expected = Buffer.from(expectedSignature);
  const received = Buffer.from(receivedSignature);
  return expected.length === received.length && crypto.timingSafeEqual(expected, received);
}

http
  .createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname !== '/webhook') {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'GET') {
      const q = url.searchParams;
      if (q.get('hub.mode') === 'subscribe' && q.get('hub.verify_token') === token) {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end(q.get('hub.challenge'));
      } else {
        res.writeHead(403).end();
      }
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const signature = req.headers['x-hub-signature-256'];
      if (!signature || !verifyMetaSignature(rawBody, signature, secret)) {
        res.writeHead(401).end();
        return;
      }
      let payload;
      try {
        payload = JSON.parse(rawBody);
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (!payload.entry || !Array.isArray(payload.entry)) {
        res.writeHead(400).end();
        return;
      }
      for (const entry of payload.entry) {
        for (const change of entry.changes || []) {
          console.log(JSON.stringify({ account_id: entry.id, field: change.field, value: change.value }));
        }
        for (const message of entry.messaging || []) {
          console.log(JSON.stringify({ account_id: entry.id, field: 'messaging', value: message }));
        }
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('EVENT_RECEIVED');
    });
  })
  .listen(port, '127.0.0.1');
