import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, mock, test } from 'node:test';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BlobInputError } from './input.ts';
import { createS3Client, S3BlobStore } from './s3.ts';
import { startS3TestServer, type S3TestServer } from './testing/s3-server.ts';
import { verifyPresignedV4 } from './testing/sigv4.ts';

let server: S3TestServer;
let store: S3BlobStore;

before(async () => {
  server = await startS3TestServer();
  store = new S3BlobStore(server.options);
  await store.ensureBucket();
});
after(async () => {
  await Promise.all(created.map((key) => store?.delete(key)));
  store?.destroy();
  await server?.stop();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const created: string[] = [];
// The bucket may be a shared server's (S3_ENDPOINT): unique keys, removed afterwards.
const uniqueKey = (name = 'doc.pdf') => {
  const key = `test/${randomUUID()}/documents/${name}`;
  created.push(key);
  return key;
};

test('put, get and head round-trip bytes and content type; delete removes', async () => {
  const key = uniqueKey();
  await store.put(key, bytes('%PDF-1.7 hello'), 'application/pdf');
  assert.deepEqual(await store.get(key), bytes('%PDF-1.7 hello'));
  assert.deepEqual(await store.head(key), { size: 14, contentType: 'application/pdf' });
  await store.delete(key);
  await store.delete(key);
  assert.equal(await store.get(key), undefined);
  assert.equal(await store.head(key), undefined);
});

test('an empty object round-trips', async () => {
  const key = uniqueKey('empty.txt');
  await store.put(key, new Uint8Array(), 'text/plain');
  assert.deepEqual(await store.get(key), new Uint8Array());
  assert.deepEqual(await store.head(key), { size: 0, contentType: 'text/plain' });
});

test('unsafe keys and content types are refused before any request', async () => {
  const offline = new S3BlobStore({ ...server.options, endpoint: 'http://127.0.0.1:1' });
  for (const key of ['../x', '/abs', 'a/../b', '.hidden']) {
    await assert.rejects(offline.put(key, bytes('x'), 'text/plain'), BlobInputError);
    await assert.rejects(offline.get(key), BlobInputError);
    await assert.rejects(offline.presignPut(key, { contentType: 'text/plain' }), BlobInputError);
    await assert.rejects(offline.presignGet(key), BlobInputError);
  }
  await assert.rejects(offline.presignPut(uniqueKey(), { contentType: 'nonsense' }), BlobInputError);
});

test('presignPut signs content type and length into the URL', async () => {
  const key = uniqueKey();
  const put = await store.presignPut(key, { contentType: 'application/pdf', contentLength: 3, expiresInSeconds: 120 });
  assert.equal(put.method, 'PUT');
  assert.deepEqual(put.headers, { 'Content-Type': 'application/pdf', 'Content-Length': '3' });
  const query = new URL(put.url).searchParams;
  assert.deepEqual(query.get('X-Amz-SignedHeaders')?.split(';').sort(), ['content-length', 'content-type', 'host']);
  assert.equal(query.get('X-Amz-Expires'), '120');
  assert.equal(new URL(put.url).pathname, `/${server.options.bucket}/${key}`, 'path-style URL');
});

test('a presigned PUT accepts the signed content type and the server refuses another', async () => {
  const key = uniqueKey();
  const put = await store.presignPut(key, { contentType: 'application/pdf' });
  const wrong = await fetch(put.url, { method: 'PUT', headers: { ...put.headers, 'Content-Type': 'text/html' }, body: bytes('<script>') });
  assert.equal(wrong.status, 403, await wrong.text());
  assert.equal(await store.head(key), undefined);

  const right = await fetch(put.url, { method: put.method, headers: put.headers, body: bytes('%PDF-1.7') });
  assert.equal(right.status, 200, await right.text());
  assert.deepEqual(await store.head(key), { size: 8, contentType: 'application/pdf' });
  assert.deepEqual(await store.get(key), bytes('%PDF-1.7'));
});

test('presignPut with a SHA-256 signs it as the x-amz-checksum-sha256 header, which the upload must send as signed', async () => {
  const key = uniqueKey();
  const body = bytes('%PDF-1.7 signed');
  const sha256 = createHash('sha256').update(body).digest('hex');
  const put = await store.presignPut(key, { contentType: 'application/pdf', contentLength: body.length, sha256 });
  const checksum = createHash('sha256').update(body).digest('base64');
  assert.deepEqual(put.headers, { 'Content-Type': 'application/pdf', 'Content-Length': String(body.length), 'x-amz-checksum-sha256': checksum });
  const query = new URL(put.url).searchParams;
  // A signed header, not a query parameter: only as a header does S3 refuse a body with another SHA-256.
  assert.deepEqual(query.get('X-Amz-SignedHeaders')?.split(';').sort(), ['content-length', 'content-type', 'host', 'x-amz-checksum-sha256']);
  assert.equal(query.get('x-amz-checksum-sha256'), null);

  const { 'x-amz-checksum-sha256': _, ...withoutChecksum } = put.headers;
  assert.equal((await fetch(put.url, { method: 'PUT', headers: withoutChecksum, body })).status, 403);
  const forged = createHash('sha256').update('other bytes').digest('base64');
  assert.equal((await fetch(put.url, { method: 'PUT', headers: { ...put.headers, 'x-amz-checksum-sha256': forged }, body })).status, 403);
  assert.equal(await store.head(key), undefined);
  const right = await fetch(put.url, { method: put.method, headers: put.headers, body });
  assert.equal(right.status, 200, await right.text());
  await assert.rejects(store.presignPut(key, { contentType: 'application/pdf', sha256: 'ABC' }), BlobInputError);
});

test('a presigned PUT with a signed length refuses a body of another length', async () => {
  const key = uniqueKey();
  const put = await store.presignPut(key, { contentType: 'text/plain', contentLength: 4 });
  const { 'Content-Type': type } = put.headers;
  const longer = await fetch(put.url, { method: 'PUT', headers: { 'Content-Type': type! }, body: bytes('12345') });
  assert.equal(longer.status, 403, await longer.text());
  assert.equal(await store.head(key), undefined);
  const exact = await fetch(put.url, { method: put.method, headers: put.headers, body: bytes('1234') });
  assert.equal(exact.status, 200, await exact.text());
});

test('URLs signed by the store are the ones getSignedUrl makes for the same request and moment', async (t) => {
  t.after(() => mock.timers.reset());
  mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-12-05T06:30:00Z') });
  const sdk = createS3Client(server.options);
  t.after(() => sdk.destroy());
  // getSignedUrl adds (and signs) the operation's name, x-id, which S3 ignores and the store leaves out: the rest
  // is the same, and the store's signature is checked the way S3 checks it.
  const withoutOperation = (url: string) => {
    const parsed = new URL(url);
    for (const name of ['x-id', 'X-Amz-Signature']) parsed.searchParams.delete(name);
    parsed.searchParams.sort();
    return parsed.toString();
  };
  const verified = (method: string, url: string, headers: Record<string, string>) => {
    const { pathname, search, host } = new URL(url);
    const lowercase = Object.fromEntries(Object.entries({ ...headers, host }).map(([name, value]) => [name.toLowerCase(), value]));
    return verifyPresignedV4({ method, url: pathname + search, headers: lowercase }, (id) => (id === server.options.accessKeyId ? server.options.secretAccessKey : undefined), Date.now());
  };
  const key = uniqueKey('Befund.pdf');
  const sha256 = createHash('sha256').update('%PDF-1.7').digest('hex');
  const checksum = createHash('sha256').update('%PDF-1.7').digest('base64');
  const put = await store.presignPut(key, { contentType: 'application/pdf', contentLength: 8, sha256, expiresInSeconds: 300 });
  const sdkPut = await getSignedUrl(sdk, new PutObjectCommand({ Bucket: server.options.bucket, Key: key, ContentType: 'application/pdf', ContentLength: 8, ChecksumSHA256: checksum }), {
    expiresIn: 300,
    signableHeaders: new Set(['content-type', 'content-length', 'x-amz-checksum-sha256']),
    unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
  });
  assert.equal(withoutOperation(put.url), withoutOperation(sdkPut));
  assert.deepEqual(verified('PUT', put.url, put.headers), { ok: true });
  assert.equal(verified('PUT', put.url, { ...put.headers, 'x-amz-checksum-sha256': createHash('sha256').update('x').digest('base64') }).ok, false);

  const get = await store.presignGet(key, { filename: 'Befund März.pdf', expiresInSeconds: 90 });
  const sdkGet = await getSignedUrl(sdk, new GetObjectCommand({ Bucket: server.options.bucket, Key: key, ResponseContentDisposition: `attachment; filename="Befund M_rz.pdf"; filename*=UTF-8''Befund%20M%C3%A4rz.pdf` }), { expiresIn: 90 });
  assert.equal(withoutOperation(get.url), withoutOperation(sdkGet));
  assert.deepEqual(verified('GET', get.url, {}), { ok: true });
});

test('a presigned GET downloads the object as the named attachment until it expires', async () => {
  const key = uniqueKey();
  await store.put(key, bytes('report body'), 'application/pdf');
  const before = Date.now();
  const { url, expiresAt } = await store.presignGet(key, { filename: 'Befund März.pdf', expiresInSeconds: 90 });
  assert.ok(Math.abs(expiresAt.getTime() - (before + 90_000)) <= 1000);
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="Befund M_rz.pdf"; filename*=UTF-8''Befund%20M%C3%A4rz.pdf`);
  assert.deepEqual(new Uint8Array(await res.arrayBuffer()), bytes('report body'));

  const tampered = new URL(url);
  tampered.searchParams.set('X-Amz-Expires', '604800');
  assert.equal((await fetch(tampered)).status, 403);
});

test('check and ensureBucket: passes on the bucket, fails on a missing bucket or an unreachable server', async () => {
  await store.check();
  await store.ensureBucket();
  const missing = new S3BlobStore({ ...server.options, bucket: `missing-${randomUUID().slice(0, 8)}` });
  await assert.rejects(missing.check());
  await assert.rejects(missing.get(uniqueKey()));
  missing.destroy();

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const unreachable = new S3BlobStore({ ...server.options, endpoint: `http://127.0.0.1:${port}` });
  await assert.rejects(unreachable.check());
  unreachable.destroy();
});

test('ensureBucket racing itself creates the bucket once and both callers succeed', { skip: process.env.S3_ENDPOINT ? 'creates a bucket; not on a shared server' : false }, async () => {
  const options = { ...server.options, bucket: `race-${randomUUID().slice(0, 8)}` };
  const [a, b] = [new S3BlobStore(options), new S3BlobStore(options)];
  await assert.rejects(a.check());
  await Promise.all([a.ensureBucket(), b.ensureBucket()]);
  await a.check();
  await b.check();
  a.destroy();
  b.destroy();
});
