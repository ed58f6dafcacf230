import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Hono } from 'hono';
import { FsBlobStore } from './fs.ts';
import { blobRoutes } from './routes.ts';

const root = await mkdtemp(join(tmpdir(), 'consilium-blob-routes-'));
after(() => rm(root, { recursive: true, force: true }));

const secret = 'a-test-secret-that-is-at-least-32-characters';
const urlPrefix = 'http://localhost:8080/_blob';
const store = new FsBlobStore({ root, urlPrefix, secret });
const app = new Hono().route('/_blob', blobRoutes(store, { maxBytes: 64 }));
const bytes = (text: string) => new TextEncoder().encode(text);
const uniqueKey = () => `cases/${randomUUID()}/documents/${randomUUID()}`;

async function assertProblem(res: Response, status: number, detail: RegExp): Promise<void> {
  assert.equal(res.status, status);
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  const body = (await res.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['detail', 'status', 'title', 'type']);
  assert.equal(body.status, status);
  assert.match(String(body.detail), detail);
}

test('a signed PUT stores the bytes and a signed GET serves them with the stored type', async () => {
  const key = uniqueKey();
  const put = await store.presignPut(key, { contentType: 'application/pdf' });
  const uploaded = await app.request(put.url, { method: put.method, headers: put.headers, body: bytes('%PDF-1.7 x') });
  assert.equal(uploaded.status, 200);
  assert.deepEqual(await store.head(key), { size: 10, contentType: 'application/pdf' });

  const { url } = await store.presignGet(key, { filename: 'Befund März.pdf' });
  const res = await app.request(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.equal(res.headers.get('content-length'), '10');
  assert.equal(res.headers.get('cache-control'), 'private, no-store');
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="Befund M_rz.pdf"; filename*=UTF-8''Befund%20M%C3%A4rz.pdf`);
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes('%PDF-1.7 x'));
});

test('a PUT signed with a SHA-256 needs its x-amz-checksum-sha256 header, and a body of another SHA-256 is 400 and stores nothing', async () => {
  const key = uniqueKey();
  const body = bytes('%PDF-1.7 checked');
  const put = await store.presignPut(key, { contentType: 'application/pdf', sha256: createHash('sha256').update(body).digest('hex') });
  assert.equal(put.headers['x-amz-checksum-sha256'], createHash('sha256').update(body).digest('base64'));
  const { 'x-amz-checksum-sha256': _, ...withoutChecksum } = put.headers;
  await assertProblem(await app.request(put.url, { method: 'PUT', headers: withoutChecksum, body }), 403, /signature/);
  await assertProblem(await app.request(put.url, { method: 'PUT', headers: put.headers, body: bytes('%PDF-1.7 swapped') }), 400, /SHA-256/);
  assert.equal(await store.head(key), undefined);
  const tampered = new URL(put.url);
  tampered.searchParams.set('checksum', createHash('sha256').update('x').digest('base64'));
  assert.equal((await app.request(tampered.href, { method: 'PUT', headers: put.headers, body })).status, 403);
  assert.equal((await app.request(put.url, { method: 'PUT', headers: put.headers, body })).status, 200);
  assert.deepEqual(await store.get(key), body);
});

test('HEAD on a signed GET URL answers headers only', async () => {
  const key = uniqueKey();
  await store.put(key, bytes('hello'), 'text/plain');
  const res = await app.request((await store.presignGet(key)).url, { method: 'HEAD' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-length'), '5');
  assert.equal((await res.arrayBuffer()).byteLength, 0);
});

test('PUT with another or no content type is 415 and stores nothing', async () => {
  const key = uniqueKey();
  const put = await store.presignPut(key, { contentType: 'application/pdf' });
  await assertProblem(await app.request(put.url, { method: 'PUT', headers: { 'Content-Type': 'text/html' }, body: bytes('<script>') }), 415, /Content-Type/);
  await assertProblem(await app.request(put.url, { method: 'PUT', body: bytes('x') }), 415, /Content-Type/);
  assert.equal(await store.head(key), undefined);
});

test('PUT with a tampered or stale signature is 403 and stores nothing', async () => {
  const key = uniqueKey();
  const put = await store.presignPut(key, { contentType: 'text/plain' });
  const tampered = new URL(put.url);
  tampered.searchParams.set('expires', String(Number(tampered.searchParams.get('expires')) + 86_400));
  await assertProblem(await app.request(tampered.href, { method: 'PUT', headers: put.headers, body: bytes('x') }), 403, /invalid/);
  const otherKey = put.url.replace(key, uniqueKey());
  await assertProblem(await app.request(otherKey, { method: 'PUT', headers: put.headers, body: bytes('x') }), 403, /invalid/);
  const unsigned = `${urlPrefix}/${key}`;
  await assertProblem(await app.request(unsigned, { method: 'PUT', headers: put.headers, body: bytes('x') }), 403, /invalid/);

  const stale = new FsBlobStore({ root, urlPrefix, secret, now: () => Date.now() - 3_600_000 });
  const old = await stale.presignPut(key, { contentType: 'text/plain', expiresInSeconds: 60 });
  await assertProblem(await app.request(old.url, { method: 'PUT', headers: old.headers, body: bytes('x') }), 403, /expired/);
  assert.equal(await store.head(key), undefined);
});

test('PUT over the route limit is 413, whether or not it declares its length', async () => {
  const key = uniqueKey();
  const put = await store.presignPut(key, { contentType: 'text/plain' });
  const big = bytes('x'.repeat(65));
  await assertProblem(await app.request(put.url, { method: 'PUT', headers: put.headers, body: big }), 413, /at most 64 bytes/);
  const chunked = new Request(put.url, { method: 'PUT', headers: put.headers, body: new Blob([big]).stream(), duplex: 'half' } as RequestInit);
  assert.equal(chunked.headers.get('content-length'), null);
  await assertProblem(await app.request(chunked), 413, /at most 64 bytes/);
  assert.equal(await store.head(key), undefined);
  const exact = await app.request(put.url, { method: 'PUT', headers: put.headers, body: bytes('x'.repeat(64)) });
  assert.equal(exact.status, 200);
});

test('PUT must carry exactly the signed length', async () => {
  const key = uniqueKey();
  const put = await store.presignPut(key, { contentType: 'text/plain', contentLength: 4 });
  const { 'Content-Type': type } = put.headers;
  await assertProblem(await app.request(put.url, { method: 'PUT', headers: { 'Content-Type': type! }, body: bytes('12345') }), 413, /at most 4 bytes/);
  const short = new Request(put.url, { method: 'PUT', headers: { 'Content-Type': type! }, body: new Blob(['123']).stream(), duplex: 'half' } as RequestInit);
  await assertProblem(await app.request(short), 400, /exactly 4 bytes/);
  assert.equal(await store.head(key), undefined);
  assert.equal((await app.request(put.url, { method: put.method, headers: put.headers, body: bytes('1234') })).status, 200);
});

test('GET is 404 for a signed URL to nothing, and 403 with a PUT signature or a tampered filename', async () => {
  const key = uniqueKey();
  await assertProblem(await app.request((await store.presignGet(key)).url), 404, /No blob/);
  await store.put(key, bytes('x'), 'text/plain');
  const put = await store.presignPut(key, { contentType: 'text/plain' });
  await assertProblem(await app.request(put.url), 403, /invalid/);
  const renamed = new URL((await store.presignGet(key, { filename: 'a.txt' })).url);
  renamed.searchParams.set('filename', 'evil.html');
  await assertProblem(await app.request(renamed.href), 403, /invalid/);
});
