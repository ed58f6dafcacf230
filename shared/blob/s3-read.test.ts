import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import { listenLocal } from '../../test/support/listen.ts';
import { S3BlobStore } from './s3.ts';
import { ObjectReader, S3ReadError } from './s3-read.ts';

// A stand-in S3 whose answers each test scripts, request by request; it records what it was asked.
type Answer = (req: IncomingMessage, res: ServerResponse) => void;
let script: Answer[] = [];
const asked: string[] = [];
const server = createServer((req, res) => {
  asked.push(req.url!);
  (script.shift() ?? ((_, r) => r.writeHead(599).end()))(req, res);
});
const { url, close } = await listenLocal(server, 0);
const reader = new ObjectReader('http:');
after(async () => {
  reader.destroy();
  await close();
});

const ok = (body: string): Answer => (_, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(body);
const status = (code: number, s3Code?: string): Answer => (_, res) =>
  res.writeHead(code, { 'content-type': 'application/xml' }).end(s3Code ? `<?xml version="1.0"?><Error><Code>${s3Code}</Code><Message>m</Message></Error>` : '');
const given = (...answers: Answer[]) => {
  script = answers;
  asked.length = 0;
};

test('reads the whole body into a buffer of its own (not a slice of a shared pool)', async () => {
  given(ok('%PDF-1.7 small'));
  const { status: code, body } = await reader.read(`${url}/b/k`);
  assert.equal(code, 200);
  assert.equal(new TextDecoder().decode(body), '%PDF-1.7 small');
  assert.equal(body.byteOffset, 0);
  assert.equal(body.buffer.byteLength, body.length);

  // Without a Content-Length (chunked), the buffer grows as the chunks come, and is trimmed to them.
  const chunked: Answer = (_, res) => {
    res.writeHead(200);
    res.write('a'.repeat(3000));
    setTimeout(() => res.end('b'.repeat(5000)), 5);
  };
  given(chunked);
  const grown = (await reader.read(`${url}/b/k`)).body;
  assert.equal(new TextDecoder().decode(grown), 'a'.repeat(3000) + 'b'.repeat(5000));
  assert.equal(grown.buffer.byteLength, 8000);
});

test('a throttled or failing server is asked again, three times at most', async () => {
  given(status(503, 'SlowDown'), status(500), ok('third time'));
  const answer = await reader.read(`${url}/b/k`);
  assert.equal(answer.status, 200);
  assert.equal(new TextDecoder().decode(answer.body), 'third time');
  assert.equal(asked.length, 3);

  given(status(500), status(502), status(503), ok('never asked'));
  assert.equal((await reader.read(`${url}/b/k`)).status, 503);
  assert.equal(asked.length, 3);
});

test('an answer that is not a server error is final: no retry', async () => {
  given(status(403, 'AccessDenied'), ok('never asked'));
  assert.equal((await reader.read(`${url}/b/k`)).status, 403);
  assert.equal(asked.length, 1);
});

test('a connection dropped half-way through the body is retried; a server that never answers fails', async () => {
  const dropped: Answer = (_, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setTimeout(() => res.socket?.destroy(), 5);
  };
  given(dropped, ok('whole'));
  assert.equal(new TextDecoder().decode((await reader.read(`${url}/b/k`)).body), 'whole');
  assert.equal(asked.length, 2);

  given(dropped, dropped, dropped);
  await assert.rejects(reader.read(`${url}/b/k`));
  assert.equal(asked.length, 3);

  const refused = new ObjectReader('http:');
  await assert.rejects(refused.read('http://127.0.0.1:9/b/k'), /ECONNREFUSED/);
  refused.destroy();
});

test('the store reads by a signed path-style URL: a missing key is undefined, a missing bucket or a refusal throws', async () => {
  const store = new S3BlobStore({ endpoint: url, bucket: 'records', region: 'eu-central-1', accessKeyId: 'AKID', secretAccessKey: 'secret' });
  try {
    given(ok('%PDF-1.7 read'));
    assert.equal(new TextDecoder().decode((await store.get('cases/7f3c/scan.pdf'))!), '%PDF-1.7 read');
    const signed = new URL(asked[0]!, url);
    assert.equal(signed.pathname, '/records/cases/7f3c/scan.pdf');
    assert.match(signed.searchParams.get('X-Amz-Credential')!, /^AKID\/\d{8}\/eu-central-1\/s3\/aws4_request$/);
    assert.equal(signed.searchParams.get('X-Amz-SignedHeaders'), 'host');
    assert.match(signed.searchParams.get('X-Amz-Signature')!, /^[0-9a-f]{64}$/);

    given(status(404, 'NoSuchKey'));
    assert.equal(await store.get('cases/7f3c/gone.pdf'), undefined);

    given(status(404, 'NoSuchBucket'));
    await assert.rejects(store.get('cases/7f3c/scan.pdf'), (error: unknown) => error instanceof S3ReadError && error.code === 'NoSuchBucket');

    given(status(403, 'AccessDenied'));
    await assert.rejects(store.get('cases/7f3c/scan.pdf'), (error: unknown) => error instanceof S3ReadError && error.status === 403 && error.code === 'AccessDenied');
  } finally {
    store.destroy();
  }
});

test('the store streams an object as it arrives; a missing one is undefined, and bytes that stop short throw', async () => {
  const store = new S3BlobStore({ endpoint: url, bucket: 'records', region: 'eu-central-1', accessKeyId: 'AKID', secretAccessKey: 'secret' });
  const collect = async (stream: AsyncIterable<Uint8Array>) => {
    const parts: string[] = [];
    for await (const chunk of stream) parts.push(new TextDecoder().decode(chunk));
    return parts;
  };
  try {
    const inPieces: Answer = (_, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('%PDF-');
      setTimeout(() => res.end('1.7\n!'), 5);
    };
    given(status(503, 'SlowDown'), inPieces);
    assert.equal((await collect((await store.stream('cases/7f3c/scan.pdf'))!)).join(''), '%PDF-1.7\n!');
    assert.equal(asked.length, 2, 'asked again before any byte was handed on');

    given(status(404, 'NoSuchKey'));
    assert.equal(await store.stream('cases/7f3c/gone.pdf'), undefined);
    given(status(403, 'AccessDenied'));
    await assert.rejects(store.stream('cases/7f3c/scan.pdf'), S3ReadError);

    const cutShort: Answer = (_, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('%PDF-1.7');
      setTimeout(() => res.socket?.destroy(), 5);
    };
    given(cutShort, ok('never asked'));
    await assert.rejects(collect((await store.stream('cases/7f3c/scan.pdf'))!));
    assert.equal(asked.length, 1, 'bytes handed on are not asked for again: the reader fails instead');
  } finally {
    store.destroy();
  }
});

