import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { verifyPresignedV4 } from './sigv4.ts';

// The presigned GET example from AWS's "Authenticating Requests: Using Query Parameters" page.
const AWS_EXAMPLE = {
  method: 'GET',
  url:
    '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
    '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
    '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
  headers: { host: 'examplebucket.s3.amazonaws.com' },
};
const secretFor = (id: string) => (id === 'AKIAIOSFODNN7EXAMPLE' ? 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' : undefined);
const during = Date.parse('2013-05-24T12:00:00Z');

test('accepts the AWS documentation example, and refuses it changed or late', () => {
  assert.deepEqual(verifyPresignedV4(AWS_EXAMPLE, secretFor, during), { ok: true });
  const refused = (req: typeof AWS_EXAMPLE, now = during) => {
    const verdict = verifyPresignedV4(req, secretFor, now);
    return verdict.ok ? 'ok' : verdict.code;
  };
  assert.equal(refused({ ...AWS_EXAMPLE, method: 'PUT' }), 'SignatureDoesNotMatch');
  assert.equal(refused({ ...AWS_EXAMPLE, url: AWS_EXAMPLE.url.replace('/test.txt', '/other.txt') }), 'SignatureDoesNotMatch');
  assert.equal(refused({ ...AWS_EXAMPLE, headers: { host: 'evil.example' } }), 'SignatureDoesNotMatch');
  assert.equal(refused({ ...AWS_EXAMPLE, url: AWS_EXAMPLE.url.replace('Expires=86400', 'Expires=86401') }), 'SignatureDoesNotMatch');
  assert.equal(refused(AWS_EXAMPLE, Date.parse('2013-05-25T00:00:01Z')), 'AccessDenied');
  assert.equal(refused({ ...AWS_EXAMPLE, url: AWS_EXAMPLE.url.replace('AKIAIOSFODNN7EXAMPLE', 'SOMEONEELSE') }), 'InvalidAccessKeyId');
});

test('accepts an SDK-presigned PUT only with the signed content type and length', async () => {
  const client = new S3Client({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'K', secretAccessKey: 'S' } });
  const signed = new URL(
    await getSignedUrl(client, new PutObjectCommand({ Bucket: 'b', Key: 'a/b.pdf', ContentType: 'application/pdf', ContentLength: 3 }), {
      expiresIn: 60,
      signableHeaders: new Set(['content-type', 'content-length']),
    }),
  );
  const request = (headers: Record<string, string>) => ({ method: 'PUT', url: signed.pathname + signed.search, headers: { host: '127.0.0.1:9000', ...headers } });
  const check = (headers: Record<string, string>) => verifyPresignedV4(request(headers), (id) => (id === 'K' ? 'S' : undefined)).ok;
  assert.equal(check({ 'content-type': 'application/pdf', 'content-length': '3' }), true);
  assert.equal(check({ 'content-type': 'text/html', 'content-length': '3' }), false);
  assert.equal(check({ 'content-type': 'application/pdf', 'content-length': '4' }), false);
  assert.equal(check({ 'content-length': '3' }), false);
});
