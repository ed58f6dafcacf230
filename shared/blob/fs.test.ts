import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BlobRefusedError, FsBlobStore } from './fs.ts';
import { BlobInputError } from './input.ts';

const root = await mkdtemp(join(tmpdir(), 'consilium-blob-fs-'));
after(() => rm(root, { recursive: true, force: true }));

const secret = 'a-test-secret-that-is-at-least-32-characters';
const urlPrefix = 'http://localhost:8080/_blob';
const store = new FsBlobStore({ root, urlPrefix, secret });
const bytes = (text: string) => new TextEncoder().encode(text);
const uniqueKey = (name = 'doc.pdf') => `cases/${randomUUID()}/documents/${name}`;
const queryOf = (url: string) => new URL(url).searchParams;

test('put, get and head round-trip bytes and content type', async () => {
  const key = uniqueKey();
  await store.put(key, bytes('%PDF-1.7 hello'), 'application/pdf');
  assert.deepEqual(await store.get(key), bytes('%PDF-1.7 hello'));
  assert.deepEqual(await store.head(key), { size: 14, contentType: 'application/pdf' });
});

test('put overwrites, leaving no temp files beside the blob', async () => {
  const key = uniqueKey('note.txt');
  await store.put(key, bytes('first'), 'text/plain');
  await store.put(key, bytes('second version'), 'text/markdown');
  assert.deepEqual(await store.get(key), bytes('second version'));
  assert.deepEqual(await store.head(key), { size: 14, contentType: 'text/markdown' });
  const dir = join(root, ...key.split('/').slice(0, -1));
  assert.deepEqual((await readdir(dir)).sort(), ['.note.txt.meta.json', 'note.txt']);
});

test('missing blobs are undefined, and delete is idempotent', async () => {
  const key = uniqueKey();
  assert.equal(await store.get(key), undefined);
  assert.equal(await store.head(key), undefined);
  assert.equal(await store.open(key), undefined);
  await store.put(key, bytes('x'), 'text/plain');
  await store.delete(key);
  await store.delete(key);
  assert.equal(await store.get(key), undefined);
  assert.equal(await store.head(key), undefined);
});

test('a "directory" key is not a blob', async () => {
  const key = uniqueKey();
  await store.put(key, bytes('x'), 'text/plain');
  const parent = key.split('/').slice(0, -1).join('/');
  assert.equal(await store.head(parent), undefined);
  assert.equal(await store.get(parent), undefined);
  assert.equal(await store.stream(parent), undefined);
});

test('stream hands out the bytes in pieces; a missing blob is undefined', async () => {
  const key = uniqueKey();
  const body = new Uint8Array(200_000).map((_, i) => i % 251);
  await store.put(key, body, 'application/pdf');
  const pieces: Uint8Array[] = [];
  for await (const piece of (await store.stream(key))!) pieces.push(piece);
  assert.ok(pieces.length > 1, 'more than one piece: never read whole');
  assert.deepEqual(new Uint8Array(Buffer.concat(pieces)), body);
  assert.equal(await store.stream(uniqueKey()), undefined);
});

test('every operation refuses unsafe keys before touching the disk', async () => {
  const outside = join(root, '..', `escaped-${randomUUID()}`);
  for (const key of ['../escaped', `..${outside}`, outside, 'a/../../b', '.hidden', 'a\\..\\b']) {
    await assert.rejects(store.put(key, bytes('x'), 'text/plain'), BlobInputError);
    await assert.rejects(store.get(key), BlobInputError);
    await assert.rejects(store.stream(key), BlobInputError);
    await assert.rejects(store.head(key), BlobInputError);
    await assert.rejects(store.delete(key), BlobInputError);
    await assert.rejects(store.presignPut(key, { contentType: 'text/plain' }), BlobInputError);
    await assert.rejects(store.presignGet(key), BlobInputError);
  }
  await assert.rejects(store.put(uniqueKey(), bytes('x'), 'not a type'), BlobInputError);
});

test('the sidecar of a blob cannot be read through a key', async () => {
  const key = uniqueKey('scan.dcm');
  await store.put(key, bytes('dicom'), 'application/dicom');
  await assert.rejects(store.get(key.replace('scan.dcm', '.scan.dcm.meta.json')), BlobInputError);
});

test('write streams a body, and one over its limit or not the promised length stores nothing', async () => {
  const key = uniqueKey();
  const stream = (text: string) => new Blob([text]).stream();
  assert.equal(await store.write(key, stream('12345'), 'text/plain', { maxBytes: 5, expectedBytes: 5 }), 5);
  await assert.rejects(store.write(key, stream('123456'), 'text/plain', { maxBytes: 5 }), (e: unknown) => e instanceof BlobRefusedError && e.reason === 'too-large');
  await assert.rejects(store.write(key, stream('1234'), 'text/plain', { expectedBytes: 5 }), (e: unknown) => e instanceof BlobRefusedError && e.reason === 'length-mismatch');
  await assert.rejects(store.write(key, bytes('123456'), 'text/plain', { maxBytes: 5 }), BlobRefusedError);
  assert.deepEqual(await store.get(key), bytes('12345'));
  const dir = join(root, ...key.split('/').slice(0, -1));
  assert.deepEqual((await readdir(dir)).sort(), ['.doc.pdf.meta.json', 'doc.pdf']);
});

test('presignPut signs method, key, expiry, content type and length; any change is refused', async () => {
  const key = uniqueKey();
  const { url, method, headers } = await store.presignPut(key, { contentType: 'application/pdf', contentLength: 10 });
  assert.equal(method, 'PUT');
  assert.deepEqual(headers, { 'Content-Type': 'application/pdf', 'Content-Length': '10' });
  assert.ok(url.startsWith(`${urlPrefix}/${key}?`));
  const query = queryOf(url);
  assert.equal(store.verify('PUT', key, query).ok, true);
  assert.deepEqual(store.verify('GET', key, query), { ok: false, reason: 'invalid' });
  assert.deepEqual(store.verify('PUT', uniqueKey(), query), { ok: false, reason: 'invalid' });
  for (const [name, value] of [['expires', String(Number(query.get('expires')) + 3600)], ['type', 'text/html'], ['length', '11'], ['signature', 'AAAA']]) {
    const tampered = new URLSearchParams(query);
    tampered.set(name!, value!);
    assert.deepEqual(store.verify('PUT', key, tampered), { ok: false, reason: 'invalid' }, name);
  }
  const dropped = new URLSearchParams(query);
  dropped.delete('length');
  assert.deepEqual(store.verify('PUT', key, dropped), { ok: false, reason: 'invalid' });
  const otherSecret = new FsBlobStore({ root, urlPrefix, secret: `${secret}-rotated` });
  assert.deepEqual(otherSecret.verify('PUT', key, query), { ok: false, reason: 'invalid' });
});

test('presignGet signs the filename and reports when the URL expires', async () => {
  const key = uniqueKey();
  const before = Date.now();
  const { url, expiresAt } = await store.presignGet(key, { expiresInSeconds: 60, filename: 'Befund.pdf' });
  assert.ok(Math.abs(expiresAt.getTime() - (before + 60_000)) <= 1000);
  const query = queryOf(url);
  assert.equal(store.verify('GET', key, query).ok, true);
  const renamed = new URLSearchParams(query);
  renamed.set('filename', 'other.pdf');
  assert.deepEqual(store.verify('GET', key, renamed), { ok: false, reason: 'invalid' });
  await assert.rejects(store.presignGet(key, { filename: 'a\nb' }), BlobInputError);
  await assert.rejects(store.presignGet(key, { expiresInSeconds: 0 }), BlobInputError);
});

test('a genuine URL past its expiry is refused as expired', async () => {
  const key = uniqueKey();
  const yesterday = new FsBlobStore({ root, urlPrefix, secret, now: () => Date.now() - 86_400_000 });
  const { url } = await yesterday.presignGet(key, { expiresInSeconds: 3600 });
  assert.deepEqual(store.verify('GET', key, queryOf(url)), { ok: false, reason: 'expired' });
  assert.equal(yesterday.verify('GET', key, queryOf(url)).ok, true);
});

test('check passes on a writable root and fails when the root cannot be a folder', async () => {
  await new FsBlobStore({ root: join(root, 'fresh', randomUUID()), urlPrefix, secret }).check();
  const file = join(root, `file-${randomUUID()}`);
  await writeFile(file, 'not a folder');
  await assert.rejects(new FsBlobStore({ root: join(file, 'blobs'), urlPrefix, secret }).check());
});

test('a short secret is refused', () => {
  assert.throws(() => new FsBlobStore({ root, urlPrefix, secret: 'short' }));
});
