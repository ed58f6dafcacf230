import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfig } from '../config/index.ts';
import { FsBlobStore, S3BlobStore, createBlobStore } from './index.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'consilium-blob-index-'));
after(() => rm(dataDir, { recursive: true, force: true }));
const secret = 'a-test-secret-that-is-at-least-32-characters';

test('without S3 settings: files under <dataDir>/blobs, URLs on localhost:<port>/_blob', async () => {
  const store = createBlobStore(loadConfig({ DATA_DIR: dataDir, PORT: '8123', PLATFORM_SECRET: secret }));
  assert.ok(store instanceof FsBlobStore);
  await store.put('a/b.txt', new TextEncoder().encode('x'), 'text/plain');
  assert.deepEqual(await new FsBlobStore({ root: join(dataDir, 'blobs'), urlPrefix: 'http://x', secret }).head('a/b.txt'), { size: 1, contentType: 'text/plain' });
  assert.match((await store.presignGet('a/b.txt')).url, /^http:\/\/localhost:8123\/_blob\/a\/b\.txt\?/);
});

test('PUBLIC_URL, with or without a trailing slash, is where the URLs point', async () => {
  for (const publicUrl of ['https://consilium.example/app', 'https://consilium.example/app/']) {
    const store = createBlobStore(loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: publicUrl, PLATFORM_SECRET: secret }));
    assert.match((await store.presignGet('a/b.txt')).url, /^https:\/\/consilium\.example\/app\/_blob\/a\/b\.txt\?/);
  }
});

test('the platform secret signs the local URLs', async () => {
  const store = createBlobStore(loadConfig({ DATA_DIR: dataDir, PLATFORM_SECRET: secret })) as FsBlobStore;
  const { url } = await store.presignGet('a/b.txt');
  const query = new URL(url).searchParams;
  assert.equal(new FsBlobStore({ root: dataDir, urlPrefix: 'http://x', secret }).verify('GET', 'a/b.txt', query).ok, true);
  assert.equal(new FsBlobStore({ root: dataDir, urlPrefix: 'http://x', secret: `${secret}-other` }).verify('GET', 'a/b.txt', query).ok, false);
});

test('with S3 settings: the S3 adapter, and nothing is contacted until used', () => {
  const config = loadConfig({
    S3_ENDPOINT: 'http://127.0.0.1:1',
    S3_BUCKET: 'documents',
    S3_ACCESS_KEY_ID: 'id',
    S3_SECRET_ACCESS_KEY: 'secret',
  });
  assert.ok(createBlobStore(config) instanceof S3BlobStore);
});
