import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentDisposition } from './disposition.ts';
import { BlobInputError, assertBlobKey, assertContentLength, assertContentType, expirySeconds } from './input.ts';

test('assertBlobKey accepts slash-separated safe segments', () => {
  for (const key of ['a', 'cases/7f3c/documents/9a1e.pdf', 'A-1_b.c/D2', 'x'.repeat(200)]) assertBlobKey(key);
});

test('assertBlobKey refuses traversal, absolute paths and unsafe characters without echoing the key', () => {
  const bad = ['', '..', '../x', 'a/../b', 'a/..', 'a..b', '/abs', 'a/', 'a//b', './a', '.hidden', 'a/.meta', 'a\\b', 'C:/x', 'a b', 'a\nb', 'ä', 'a?b', 'a%2e', '-a', 'x'.repeat(201)];
  for (const key of bad) {
    assert.throws(() => assertBlobKey(key), (e: unknown) => e instanceof BlobInputError && (key === '' || !e.message.includes(key)), JSON.stringify(key));
  }
});

test('assertContentType accepts media types and refuses anything else', () => {
  for (const type of ['application/pdf', 'image/jpeg', 'application/dicom', 'text/plain; charset=utf-8', 'multipart/x; boundary="a b"']) assertContentType(type);
  for (const type of ['', 'pdf', 'text/', '/plain', 'text/plain\r\nX-Evil: 1', 'text/plain; charset', 'a/b c']) {
    assert.throws(() => assertContentType(type), BlobInputError, JSON.stringify(type));
  }
});

test('assertContentLength and expirySeconds keep to what S3 allows', () => {
  assertContentLength(0);
  assertContentLength(5 * 1024 ** 3);
  for (const n of [-1, 1.5, 5 * 1024 ** 3 + 1, Number.NaN]) assert.throws(() => assertContentLength(n), BlobInputError);
  assert.equal(expirySeconds(undefined, 300), 300);
  assert.equal(expirySeconds(604_800, 300), 604_800);
  for (const n of [0, -5, 1.5, 604_801]) assert.throws(() => expirySeconds(n, 300), BlobInputError);
});

test('contentDisposition gives an ASCII fallback and the exact UTF-8 name', () => {
  assert.equal(contentDisposition('report.pdf'), `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
  assert.equal(
    contentDisposition('Röntgen "links"/2024.pdf'),
    `attachment; filename="R_ntgen _links__2024.pdf"; filename*=UTF-8''R%C3%B6ntgen%20%22links%22%2F2024.pdf`,
  );
  for (const name of ['', 'a\r\nSet-Cookie: x', 'x'.repeat(256)]) assert.throws(() => contentDisposition(name), BlobInputError);
});
